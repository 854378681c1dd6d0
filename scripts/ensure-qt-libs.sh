#!/usr/bin/env bash
# Installs the system libraries Qt (PySide6) needs when they are missing, with apt-get (Debian, Ubuntu).
# Usage: scripts/ensure-qt-libs.sh PYTHON
set -u
PY=${1:-python3}
probe() { QT_QPA_PLATFORM=offscreen "$PY" -c 'from PySide6 import QtGui, QtWidgets' >/dev/null 2>&1; }
if probe; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Qt cannot load and there is no apt-get here: install the OpenGL, EGL, fontconfig and xkbcommon libraries." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Qt needs system libraries; run this script as root." >&2; exit 1
  fi
fi
echo "Installing the system libraries Qt needs (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 \
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 libxrender1 libxi6 fonts-dejavu-core >/dev/null
probe || { echo "Qt still cannot load after installing its libraries:" >&2;
           QT_QPA_PLATFORM=offscreen "$PY" -c 'from PySide6 import QtGui, QtWidgets' >&2; exit 1; }
