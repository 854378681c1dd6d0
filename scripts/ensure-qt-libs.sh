#!/usr/bin/env bash
# Installs the system libraries Qt (PySide6) needs, offscreen (tests) and on a desktop (xcb), when they are
# missing, with apt-get (Debian, Ubuntu). Elsewhere it only checks that Qt loads.
# Usage: scripts/ensure-qt-libs.sh PYTHON
set -u
PY=${1:-python3}
PACKAGES="libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
  libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 libxrender1 libxi6 fonts-dejavu-core"
probe() { QT_QPA_PLATFORM=offscreen "$PY" -c 'from PySide6 import QtGui, QtWidgets' >/dev/null 2>&1; }

if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=""
  for p in $PACKAGES; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then
      if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "Qt needs these system packages; install them as root:$missing" >&2; probe && exit 0; exit 1
      fi
    fi
    echo "Installing the system libraries Qt needs:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi
probe || { echo "Qt cannot load:" >&2; QT_QPA_PLATFORM=offscreen "$PY" -c 'from PySide6 import QtGui, QtWidgets' >&2;
           exit 1; }
