"""coopgraph extract: dates, names, status, evidence, the review loop, evaluation and bad input.

natasha's models are loaded once per session (the ``gazetteers`` fixture); no test times anything.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from conftest import DATA, ROOT, TESTDATA
from coopgraph import cli, pipeline
from coopgraph.errors import SourceError, ValidationError
from coopgraph.extract import evaluate_article, extract_article, extract_text, write_draft
from coopgraph.extract.dates import find_dates, publication_date
from coopgraph.extract.evaluate import evaluate_draft, evaluate_files
from coopgraph.extract.text import detect_language, sentences

FIXTURES = TESTDATA / "extract"
ARTICLE = DATA / "articles" / "lstu-2023-09-18.ru.txt"
GOLD = DATA / "sources" / "lstu-2023-09-18.yaml"


@pytest.fixture(scope="session")
def gazetteers():
    """The shipped registry and the fixture registry as gazetteers, with natasha loaded once."""
    from coopgraph.extract import load_gazetteer, ru

    ru.load_models()
    return {"data": load_gazetteer(DATA / "registry"), "fixture": load_gazetteer(FIXTURES / "registry")}


@pytest.fixture(scope="session")
def founding(gazetteers):
    return extract_article(ARTICLE, registry=DATA / "registry", gazetteer=gazetteers["data"])


def _draft(gazetteers, name: str):
    return extract_article(FIXTURES / name, registry=FIXTURES / "registry", gazetteer=gazetteers["fixture"])


def _text(gazetteers, text: str, *, lang: str, registry: str = "data", suffix: str = ".txt"):
    return extract_text(text, path=Path("article" + suffix), lang=lang, registry=DATA / "registry",
                        gazetteer=gazetteers[registry])


def _nodes(draft, kind: str):
    out = []

    def walk(node):
        if node.kind == kind:
            out.append(node)
        for value in node.fields.values():
            for child in value if isinstance(value, list) else [value]:
                if hasattr(child, "fields"):
                    walk(child)

    for node in draft.nodes:
        walk(node)
    return out


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("С 11 по 15 сентября делегация посетила", "ru", ("2023-09-11", "2023-09-15")),
        ("с 14 по 15 сентября", "ru", ("2023-09-14", "2023-09-15")),
        ("11–15 сентября 2023 г.", "ru", ("2023-09-11", "2023-09-15")),
        ("с 28 сентября по 2 октября", "ru", ("2023-09-28", "2023-10-02")),
        ("14 сентября", "ru", ("2023-09-14", None)),
        ("с 2020 года реализуется", "ru", ("2020", None)),
        ("на следующий год приедут", "ru", ("2024", None)),
        ("С сентября 2024 года", "ru", ("2024-09", None)),
        ("from 11 to 15 September", "en", ("2023-09-11", "2023-09-15")),
        ("11–15 September 2023", "en", ("2023-09-11", "2023-09-15")),
        ("September 11-15", "en", ("2023-09-11", "2023-09-15")),
        ("from September 14 to 15", "en", ("2023-09-14", "2023-09-15")),
        ("from 28 September to 2 October 2023", "en", ("2023-09-28", "2023-10-02")),
        ("since 2020", "en", ("2020", None)),
        ("next year", "en", ("2024", None)),
        ("on 10 January", "en", ("2024-01-10", None)),  # the nearest 10 January to 18 September 2023 is in 2024
    ],
)
def test_dates_take_the_year_from_the_article(text, lang, expected):
    found = find_dates(text, lang, reference="2023-09-18T00:22")
    assert [(d.start_date, d.end_date) for d in found] == [expected]


def test_publication_line():
    assert publication_date([(0, 16, "18.09.2023 00:22")], "ru") == ("2023-09-18T00:22", 0, 16)
    assert publication_date([(0, 20, "Posted: September 20, 2023")], "en")[0] == "2023-09-20"
    assert publication_date([(0, 10, "Заголовок")], "ru") is None


def test_sentences_keep_initials_and_offsets():
    text = "Делегация в составе и. о. ректора Л.А. Загеевой и И.П. Мазура посетила Китай. Визит прошёл успешно."
    found = sentences(text)
    assert len(found) == 2
    assert all(text[s.start:s.end] == s.text for s in found)


# ---------------------------------------------------------------- the founding article


def test_founding_article_metadata(founding):
    source = founding.source.fields
    title = "На просторах Поднебесной: Липецкий Политех наращивает сотрудничество на международной арене."
    assert source["title"] == {"ru": title}
    assert source["issued"] == "2023-09-18T00:22"
    assert (source["language"], source["publisher"]) == ("ru", "lstu")
    assert source["identifier"] == "sha256:9d07055e8180ca7f7684dea12bd2bbcc28212b940350df56aa7bafa251fc9775"


def test_inflected_names_are_put_in_the_nominative(founding):
    people = {n.fields["familyName"]["ru"]: n for n in _nodes(founding, "Person") if "familyName" in n.fields}
    assert set(people) == {"Загеева", "Мазур", "Позднякова"}  # «Загеевой», «Мазура», «Поздняковой» in the text
    assert people["Загеева"].fields["givenName"] == {"ru": "Лилия Александровна"}  # «Лилии Александровны», by initials
    roles = {name: n.fields["posts"][0].fields["role"] for name, n in people.items()}
    assert roles == {"Загеева": "ActingRector", "Мазур": "HeadOfDepartment", "Позднякова": "HeadOfInternationalOffice"}


def test_planned_and_done_in_the_founding_article(founding):
    mobility = {n.fields["mobilityKind"]: n.fields for n in _nodes(founding, "Mobility")}
    assert mobility["StudentStudies"]["status"] == "Planned"  # «приедут»
    assert mobility["StudentStudies"]["startDate"] == "2024"  # «на следующий год»
    assert mobility["StaffTeaching"]["status"] == "Ongoing"  # «сейчас ... находятся»
    assert mobility["StaffTeaching"]["participantCount"] == "5"
    assert _nodes(founding, "ActionPlan")[0].fields["status"] == "Planned"  # «станет»
    assert _nodes(founding, "CooperationAgreement")[0].fields["status"] == "Completed"  # «вошло»


def test_every_fact_quotes_the_text_at_its_offsets(founding):
    text = ARTICLE.read_text(encoding="utf-8")
    for node in founding.nodes:
        quotes = node.fields.get("quote", {}).get("ru", [])
        quotes = [quotes] if isinstance(quotes, str) else quotes
        assert [text[s:e] for s, e in node.evidence] == quotes, node.id
        assert 0 < node.confidence <= 1


def test_founding_article_meets_the_targets(founding):
    evaluation = evaluate_draft(GOLD, founding)
    for kind in ("institutions", "people"):
        assert evaluation.score(kind).precision == 1.0 and evaluation.score(kind).recall >= 0.95, kind
    assert evaluation.score("dates").precision == evaluation.score("dates").recall == 1.0
    assert evaluation.overall.recall >= 0.8 and evaluation.overall.precision >= 0.9


def test_a_file_compared_with_itself_scores_one():
    evaluation = evaluate_files(GOLD, GOLD)
    assert all(s.precision == s.recall == 1.0 for s in evaluation.scores)
    assert evaluation.overall.gold == 50


# ---------------------------------------------------------------- the review loop


def test_draft_of_the_founding_article_validates_as_it_is(founding, tmp_path):
    draft = write_draft(founding, tmp_path / "draft.yaml")
    assert not founding.unresolved
    summary = pipeline.check([draft, DATA / "registry"])
    assert summary.classes["coop:Visit"] == 2


def test_unresolved_institutions_fail_on_their_lines_until_reviewed(gazetteers, tmp_path):
    draft = _draft(gazetteers, "en-volga-almaty.en.txt")
    assert list(draft.unresolved) == ["unresolved-altai-mining-institute"]
    path = write_draft(draft, tmp_path / "draft.yaml")
    lines = path.read_text(encoding="utf-8").splitlines()
    with pytest.raises(ValidationError) as failed:
        pipeline.check([path, FIXTURES / "registry"])
    assert any(p.startswith(f"{path}:") for p in failed.value.problems)
    for problem in failed.value.problems:
        where = re.match(rf"{re.escape(str(path))}:(\d+): ", problem)
        assert where, problem
        line = lines[int(where.group(1)) - 1]
        assert "unresolved-altai-mining-institute" in line, problem
        assert "UNRESOLVED" in lines[int(where.group(1)) - 2]  # the comment above says what was found
    # the review: the reviewer adds the institution to the registry and writes its id
    path.write_text(path.read_text(encoding="utf-8").replace("unresolved-altai-mining-institute", "ami"), encoding="utf-8")
    registry = tmp_path / "registry"
    shutil.copytree(FIXTURES / "registry", registry)
    shutil.copy(FIXTURES / "review" / "institutions.yaml", registry / "reviewed.yaml")
    assert pipeline.check([path, registry]).classes["coop:Mobility"] == 2


def test_low_confidence_facts_are_comments_not_data(gazetteers, tmp_path):
    text = "Конференция\n\n01.02.2024 10:00\n\nПрошла конференция. Делегация ЛГТУ провела встречу.\n"
    draft = _text(gazetteers, text, lang="ru")
    low = draft.facts(kept=False)
    assert low and all(n.confidence < draft.threshold for n in low)
    yaml_text = draft.yaml()
    assert "below the confidence threshold" in yaml_text
    for node in low:
        assert f"  - id: {node.id}" not in yaml_text and f"  # - id: {node.id}" in yaml_text
    path = tmp_path / "draft.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    pipeline.check([path, DATA / "registry"])  # what remains as data validates


def test_nothing_the_text_does_not_state(gazetteers):
    text = "Новости университета\n\n01.02.2024 10:00\n\nВ университете прошёл день открытых дверей. Погода была хорошей.\n"
    draft = _text(gazetteers, text, lang="ru")
    assert draft.nodes == []
    assert "graph: []" in draft.yaml()


# ---------------------------------------------------------------- English and status


def test_english_article(gazetteers):
    draft = _draft(gazetteers, "en-coastal-sut.en.txt")
    assert draft.lang == "en" and draft.source.fields["issued"] == "2023-09-20"
    person = _nodes(draft, "Person")[0].fields
    assert (person["familyName"], person["givenName"]) == ({"en": "Li"}, {"en": "Wei"})  # Chinese order
    visit = _nodes(draft, "Visit")[0].fields
    assert (visit["visitor"], visit["host"]) == ("sut", "coastal")
    assert (visit["startDate"], visit["endDate"]) == ("2023-09-11", "2023-09-15")
    assert _nodes(draft, "CooperationAgreement")[0].fields["status"] == "Planned"  # "will sign"
    mobility = _nodes(draft, "Mobility")[0].fields
    assert (mobility["status"], mobility["participantCount"]) == ("Ongoing", "5")  # "are currently studying"


@pytest.mark.parametrize(
    ("sentence", "lang", "status"),
    [
        ("В следующем году 10 студентов ЛГТУ приедут учиться в ЛУНТ.", "ru", "Planned"),
        ("Сейчас 10 студентов ЛГТУ учатся в ЛУНТ.", "ru", "Ongoing"),
        ("В прошлом году 10 студентов ЛГТУ учились в ЛУНТ.", "ru", "Completed"),
        ("С сентября 10 студентов ЛГТУ будут обучаться в ЛУНТ.", "ru", "Planned"),
        ("Next year 10 students of LSTU will come to study at USTL.", "en", "Planned"),
        ("Currently 10 students of LSTU are studying at USTL.", "en", "Ongoing"),
        ("Last year 10 students of LSTU studied at USTL.", "en", "Completed"),
    ],
)
def test_planned_versus_done(gazetteers, sentence, lang, status):
    text = f"Title\n\n18.09.2023 00:22\n\n{sentence}\n" if lang == "ru" else f"Title\n\n18 September 2023\n\n{sentence}\n"
    mobility = _nodes(_text(gazetteers, text, lang=lang), "Mobility")
    assert [(m.fields["sender"], m.fields["receiver"], m.fields["status"]) for m in mobility] == [("lstu", "ustl", status)]


def test_russian_fixture_names_after_posts(gazetteers):
    draft = _draft(gazetteers, "ru-kamensk-sungari.ru.txt")
    people = {n.fields["familyName"]["ru"]: n.fields for n in _nodes(draft, "Person") if "familyName" in n.fields}
    assert set(people) == {"Ван", "Чжан", "Никитин"}
    assert people["Никитин"]["posts"][0].fields["organization"] == "kgu"  # «ректор Каменского горного университета ...»


@pytest.mark.parametrize("name", ["en-volga-almaty", "en-coastal-sut", "ru-kamensk-sungari"])
def test_fixture_articles_keep_their_measured_quality(gazetteers, name):
    article = next(FIXTURES.glob(f"{name}.*.txt"))
    _, evaluation = evaluate_article(FIXTURES / f"{name}.gold.yaml", article, registry=FIXTURES / "registry",
                                     gazetteer=gazetteers["fixture"])
    assert evaluation.overall.precision >= 0.85 and evaluation.overall.recall >= 0.8


# ---------------------------------------------------------------- language and bad input


def test_language_detection():
    assert detect_language(ARTICLE.read_text(encoding="utf-8"))[0] == "ru"
    assert detect_language("The delegation of the university visited partners and signed an agreement.")[0] == "en"
    assert detect_language("Die Delegation der Universität besuchte die Partner und unterzeichnete ein Abkommen.")[0] == "de"
    assert detect_language("辽宁科技大学代表团访问了利佩茨克国立技术大学。")[0] == "zh"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n ", "the file is empty"),
        (b"abc\x00\x01\x02\xff", "binary data, not text"),
        ("Привет".encode("cp1251"), "not UTF-8 text"),
        ("Die Delegation der Universität besuchte die Partner und unterzeichnete ein Abkommen mit der Hochschule.".encode(),
         "looks like German (de)"),
        ("辽宁科技大学代表团访问了利佩茨克国立技术大学，双方签署了合作协议。".encode(), "looks like Chinese (zh)"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(tmp_path, capsys, content, message):
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    with pytest.raises(SourceError, match=re.escape(message)):
        extract_article(article)
    assert cli.main(["extract", str(article)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"coopgraph: {article}") and message in err and "\n" not in err


def test_missing_file(capsys):
    assert cli.main(["extract", "no/such/article.txt"]) == 1
    assert "no such file" in capsys.readouterr().err


def test_a_huge_text_is_cut_with_a_warning(gazetteers, tmp_path):
    article = tmp_path / "huge.txt"
    unit = ARTICLE.read_text(encoding="utf-8")
    article.write_text(unit * (10_000_000 // len(unit.encode()) + 1), encoding="utf-8")
    assert article.stat().st_size > 10_000_000
    draft = extract_article(article, gazetteer=gazetteers["data"], max_chars=8000)
    assert len(draft.warnings) == 1 and "only the first" in draft.warnings[0]


def test_cli_writes_the_draft_and_prints_the_evaluation(tmp_path, capsys):
    out = tmp_path / "draft.yaml"
    assert cli.main(["extract", str(ARTICLE), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# DRAFT extracted by `coopgraph extract`")
    assert cli.main(["extract", "--evaluate", str(GOLD), str(ARTICLE)]) == 0
    table = capsys.readouterr().out
    assert re.search(r"^overall\s+50\s+\d+\s+\d+\s+[\d.]+\s+[\d.]+$", table, re.M)


def test_extract_help_ends_with_an_example(capsys):
    with pytest.raises(SystemExit):
        cli.main(["extract", "--help"])
    assert capsys.readouterr().out.rstrip().splitlines()[-2].startswith("Example: coopgraph extract")


def test_only_the_cli_imports_extract():
    importers = []
    for path in (ROOT / "src" / "coopgraph").rglob("*.py"):
        if "extract" in path.relative_to(ROOT / "src" / "coopgraph").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module == "coopgraph":
                names = [f"coopgraph.{a.name}" for a in node.names]
            if any(n == "coopgraph.extract" or n.startswith("coopgraph.extract.") for n in names):
                importers.append(path.name)
    assert set(importers) <= {"cli.py"}
