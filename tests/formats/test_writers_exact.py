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


def test_a_brat_annotation_file_line_by_line(tmp_path):
    """T lines (a span over a line break in fragments, its text joined by a space), an E line for every event
    span, with or without arguments, numbered in order, a role filled twice numbered as brat numbers it."""
    from annotator.core.labels import load_scheme
    from annotator.core.model import Document, Link, Record, Span
    from annotator.formats.writers import BratWriter

    text = "Rebels attacked Kidal\nand Gao on Monday. Two died."
    spans = [Span(0, 6, "ACTOR"), Span(7, 15, "ATTACK"), Span(16, 25, "PLACE"), Span(26, 29, "PLACE"),
             Span(33, 39, "TIME"), Span(45, 49, "DEATH")]
    links = [Link(1, 0, "attacker"), Link(1, 2, "target"), Link(1, 3, "target")]
    writer = BratWriter(tmp_path / "brat", load_scheme(), "test")
    writer.write(Record(Document(text=text, external_id="a1"), spans, links=links), b"")
    writer.close()
    assert (tmp_path / "brat" / "a1.txt").read_text(encoding="utf-8") == text
    assert (tmp_path / "brat" / "a1.ann").read_text(encoding="utf-8").splitlines() == [
        "T1\tACTOR 0 6\tRebels",
        "T2\tATTACK 7 15\tattacked",
        "T3\tPLACE 16 21;22 25\tKidal and",
        "T4\tPLACE 26 29\tGao",
        "T5\tTIME 33 39\tMonday",
        "T6\tDEATH 45 49\tdied",
        "E1\tATTACK:T2 attacker:T1 target:T3 target2:T4",
        "E2\tDEATH:T6",
    ]
