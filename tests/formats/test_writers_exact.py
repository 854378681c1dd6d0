"""The writers' side files, character by character: what another tool reads before any record."""

from __future__ import annotations

from annotator.core.labels import Label, LabelScheme, Role
from annotator.formats.writers import LabelStudioWriter


def _config(tmp_path, labels: list[Label]) -> str:
    writer = LabelStudioWriter(tmp_path / "ls.json", LabelScheme("test", labels), "test")
    try:
        return writer.label_config()
    finally:
        writer.fh.close()


def test_the_label_studio_config_names_each_label_and_role_once_a_line(tmp_path):
    place = Label("PLACE", "argument", "#3cb44b", "l", "Where.")
    time = Label("TIME", "argument", "#911eb4", "w", "When.")
    attack = Label("ATTACK", "event", "#e6194b", "a", "Strikes.", roles=(
        Role("time", ("TIME",)), Role("place", ("PLACE",))))
    assert _config(tmp_path, [place, time, attack]) == (
        '<View>\n'
        '  <Labels name="label" toName="text">\n'
        '    <Label value="PLACE" background="#3cb44b"/>\n'
        '    <Label value="TIME" background="#911eb4"/>\n'
        '    <Label value="ATTACK" background="#e6194b"/>\n'
        '  </Labels>\n'
        '  <Relations>\n'
        '    <Relation value="place"/>\n'
        '    <Relation value="time"/>\n'
        '  </Relations>\n'
        '  <Text name="text" value="$text"/>\n'
        '</View>\n')
    # labels without roles: no Relations block at all
    assert _config(tmp_path, [place]) == (
        '<View>\n'
        '  <Labels name="label" toName="text">\n'
        '    <Label value="PLACE" background="#3cb44b"/>\n'
        '  </Labels>\n'
        '  <Text name="text" value="$text"/>\n'
        '</View>\n')
