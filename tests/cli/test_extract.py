

CORRECTED = (
    "Low-dose aspirin cut repeat strokes in a randomized trial\n\n"
    "In a randomized trial of 400 adults, patients received aspirin 81 mg daily or placebo. "
    "After two years, {events} of 200 patients in the aspirin group had a second stroke.\n"
)


def test_extract_corrected_article_keeps_its_record_id_and_the_history_keeps_both_versions(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    ids = []
    for events in (20, 21):  # the site corrects a number
        article.write_text(CORRECTED.format(events=events), "utf-8")
        result = subprocess.run([str(EXE), "extract", "a.txt", "--db", "D.db", "--quiet"], cwd=tmp_path,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        ids.append(json.loads(result.stdout)["record_id"])
    assert ids[0] == ids[1]
    with sqlite3.connect(tmp_path / "D.db") as db:
        assert db.execute("SELECT record_id FROM records").fetchall() == [(ids[0],)]
        history = db.execute("SELECT record_id, action, record FROM record_history ORDER BY id").fetchall()
    assert [(record_id, action) for record_id, action, _ in history] == [(ids[0], "inserted"), (ids[0], "updated")]
    versions = [json.loads(record)["source"]["text_sha256"] for _, _, record in history]
    assert versions[0] != versions[1]
