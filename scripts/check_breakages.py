"""The breakages that once passed every test (issue 14), each applied in turn to the code, with the tests that
must catch it; prints caught or MISSED for each, and restores the code. Run: .venv/bin/python scripts/check_breakages.py
[WORDS...] (only the breakages whose name holds a word). A MISSED line means the suite went green on a broken
product."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
B = [
 ("undo of accept-all restores one span", "annotator/core/edits.py",
  "port.annotations.restore_spans(self.doc_id, list(self.spans), who, revision, links=list(self.links))",
  "port.annotations.restore_spans(self.doc_id, list(self.spans)[:1], who, revision, links=list(self.links))",
  "tests/gui/test_window.py"),
 ("undo of a delete never written", "annotator/core/edits.py",
  "port.annotations.restore_spans(self.doc_id, list(self.spans), who, revision, links=list(self.links))",
  "pass", "tests/gui/test_window.py"),
 ("check_external_changes does nothing", "annotator/gui/window_problems.py",
  '        once it can."""\n',
  '        once it can."""\n        return\n', "tests/gui"),
 ("idle timer never starts", "annotator/gui/main_window.py", "        self._watch.start()\n", "\n", "tests/gui"),
 ("search box ignores its text", "annotator/gui/main_window.py",
  "FILTERS[self.filter_box.currentIndex()][1], self.search.text())", "FILTERS[self.filter_box.currentIndex()][1], '')",
  "tests/gui"),
 ("snap counts but does not widen", "annotator/workflows/importing.py", "                sp.start, sp.end = widened\n", "\n",
  "tests/test_promises.py tests/workflows/test_import.py"),
 ("CoNLL break inside a span", "annotator/formats/writers.py", 'and written and not tags[i].startswith("I-"):', "and written:",
  "tests/test_promises.py tests/workflows/test_exchange.py"),
 ("rule/model merge removed", "annotator/nlp/pipeline.py",
  "for s, e, label, source, score in merge_suggestion_tuples(found)]", "for s, e, label, source, score in found]",
  "tests/workflows/test_training.py tests/nlp"),
 ("split without keeping sides", "annotator/workflows/exporting.py",
  "    train = {doc_id for p, doc_id in placed if p < fraction}",
  "    train = {doc_id for _, doc_id in placed[: round(len(placed) * fraction)]}", "tests/test_promises.py tests/workflows tests/test_cli.py"),
 ("migration 0002 a no-op", "annotator/store/schema.py", '    db["changes"].create_index(["who", "at"], if_not_exists=True)', "    pass",
  "tests/store"),
 ("stats prints zeros", "annotator/cli.py", "{counts.get('suggested', 0):>7} {counts.get('accepted', 0):>7}", "{0:>7} {0:>7}",
  "tests/test_promises.py tests/test_cli.py"),
 ("preannotate --all ignored", "annotator/cli.py", "only_pending=not all_docs, who=editor_name(editor)", "only_pending=True, who=editor_name(editor)",
  "tests/test_promises.py tests/test_cli.py"),
 ("Label Studio takes the oldest annotation", "annotator/formats/labelstudio.py",
  "latest = max(enumerate(annotations)", "latest = min(enumerate(annotations)", "tests/test_promises.py tests/workflows"),
 ("Label Studio config without colours", "annotator/formats/writers.py", " background={quoteattr(lb.colour)}", "",
  "tests/test_promises.py tests/workflows"),
 ("Label Studio config without escaping", "annotator/formats/writers.py", "{quoteattr(lb.name)}", "{chr(34) + lb.name + chr(34)}",
  "tests/test_promises.py tests/workflows"),
 ("DocBin import drops answers", "annotator/formats/docbin.py",
  'answer = Answer.parse(info["answer"]) if info.get("answer") else Answer.PENDING', "answer = Answer.PENDING",
  "tests/test_promises.py tests/workflows"),
 ("stats imports spaCy", "annotator/cli.py", '    """Documents by answer, spans by label and state, work per editor."""\n',
  '    """Documents by answer, spans by label and state, work per editor."""\n    import spacy  # noqa\n', "tests/test_promises.py tests/test_cli.py"),
 ("header read with open() (lock loss)", "annotator/store/database.py", "        conn = self._connect(readonly)\n",
  "        if exists:\n            with open(self.path, 'rb') as fh:\n                fh.read(16)\n        conn = self._connect(readonly)\n",
  "tests/test_between_programs.py"),
 ("accepting an article leaves suggestions", "annotator/core/session.py", "accept_suggested=True,",
  "accept_suggested=False,", "tests/gui"),
 ("queue tooltip rendered as markup", "annotator/gui/queue_model.py", 'else plain(f"#{row.id}: {title}")', 'else f"#{row.id}: {title}"',
  "tests/gui/test_window_trust.py"),
 ("NaN written into JSON", "annotator/formats/base.py", "return json.loads(text, parse_constant=_not_a_number)", "return json.loads(text)",
  "tests/test_hostile_input.py"),
 ("FIFO read as input", "annotator/workflows/importing.py", "        if not path.is_dir() and not path.is_file():\n", "        if False:\n",
  "tests/test_hostile_input.py"),
 ("label names not checked", "annotator/workflows/importing.py", "        if bad:\n            return rec.error", "        if False:\n            return rec.error",
  "tests/test_hostile_input.py"),
 ("brat names clash", "annotator/formats/writers.py", "        while name.lower() in self.names:", "        while False:",
  "tests/workflows/test_exchange.py"),
 ("brat lines split at U+0085", "annotator/formats/brat.py", '_read(ann, "annotation file").split("\\n")', '_read(ann, "annotation file").splitlines()',
  "tests/workflows/test_event_formats.py tests/formats/test_fuzz_formats.py"),
 ("a failing article blocks the batch", "annotator/workflows/preannotating.py", "        except Exception as exc:  # noqa: BLE001", "        except ZeroDivisionError as exc:  # noqa: BLE001",
  "tests/test_hostile_input.py"),
 ("long articles not cut", "annotator/workflows/preannotating.py", "        if len(text) > annotator.nlp.max_length:\n            return _annotate_long", "        if False:\n            return _annotate_long",
  "tests/workflows/test_preannotate_export.py"),
 ("ids out of input order", "annotator/store/documents.py", "            for rec in [*fresh, None]:", "            for rec in [*sorted(fresh, key=lambda r: bool(r.spans or r.document.tokens or r.document.answer.value != 'pending')), None]:",
  "tests/store tests/workflows/test_editing.py"),
 ("window never lifts the block", "annotator/gui/window_problems.py", "            self._clear_problem()\n            return", "            return",
  "tests/gui/test_window_trust.py"),
 # events (issue 9): each a link a real bug could lose
 ("links: a removed span keeps its links", "annotator/store/annotations.py",
  "                gone = self.store.links.reject_hanging(span_id, stamp)  # a removed span takes its links with it",
  "                gone = []", "tests/store/test_links.py"),
 ("links: undo never puts links back", "annotator/store/links.py",
  "            [(SpanState(state).value, stamp, link_id, doc_id) for link_id, state in rows])", "            [])",
  "tests/store/test_links.py tests/gui/test_window_links.py"),
 ("links: brat writes no E lines", "annotator/formats/writers.py", "        lines += self._events(record)",
  "        pass", "tests/workflows/test_event_formats.py"),
 ("links: suggested across sentences", "annotator/core/linking.py", "        near = [j for j in by_sentence[sentence(start)]",
  "        near = [j for j in range(len(spans))", "tests/core tests/workflows/test_preannotate_export.py"),
 ("links: undo leaves the spans a link accepted", "annotator/store/annotations.py",
  "            sql += ' AND start >= ? AND \"end\" <= ?'", "            sql += ' AND start = ? AND \"end\" = ?'",
  "tests/core/test_session.py tests/gui/test_window_links.py"),
 ("links: Enter in link mode does nothing", "annotator/gui/main_window.py",
  "        if self.link_tool.active:\n            self.link_tool.commit()\n            return",
  "        if self.link_tool.active:\n            return", "tests/gui/test_window_links.py"),
 ("recent list iterated as a string", "annotator/gui/window_projects.py", "            return [value] if value else []", "            return list(value)",
  "tests/gui/test_window_trust.py"),
]
only = sys.argv[1:]
failures = 0
for name, path, old, new, tests in B:
    if only and not any(o in name for o in only):
        continue
    p = ROOT / path
    src = p.read_text()
    if old not in src:
        print(f"STALE   {name}: its code is no longer in {path}; update the breakage"); failures += 1; continue
    p.write_text(src.replace(old, new, 1))
    try:
        r = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests.split()],
                           cwd=ROOT, capture_output=True, text=True, timeout=900)
    finally:
        p.write_text(src)
    verdict = "caught" if r.returncode != 0 else "MISSED"
    failures += verdict == "MISSED"
    last = [l for l in r.stdout.splitlines() if l.startswith("FAILED")][:1]
    print(f"{verdict:7} {name}  {last[0][:110] if last else r.stdout.strip().splitlines()[-1][:80]}", flush=True)
sys.exit(1 if failures else 0)
