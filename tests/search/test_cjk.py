"""Chinese, Japanese and Korean, written without spaces between words, are searched inside runs
of characters, on every backend and engine, and highlighted character by character."""

from pathlib import Path

import pytest

from app.store import Store
from app.text.analysis import words
from tests.conftest import ingest
from tests.search.test_service import search

LINES = {
    "zh.txt": "0:01 我们今天讨论机器学习工程师的职业发展\n0:05 数据管道也很重要\n",
    "ja.txt": "0:01 機械学習エンジニアになるための勉強方法\n0:05 データ基盤の話もします\n",
    "ko.txt": "0:01 머신러닝 엔지니어가 되는 방법을 이야기합니다\n",
}


@pytest.fixture
def cjk_db(db: Store, tmp_path: Path) -> Store:
    (tmp_path / "talks").mkdir()
    for name, text in LINES.items():
        (tmp_path / "talks" / name).write_text(text)
    assert ingest(db, tmp_path / "talks").failed == 0
    return db


@pytest.mark.parametrize(
    ("q", "slug", "marked"),
    [
        ("机器学习", "zh", "讨论<mark>机</mark><mark>器</mark><mark>学</mark><mark>习</mark>工"),
        ("工程师", "zh", "<mark>工</mark><mark>程</mark><mark>师</mark>的"),
        ("数据管道", "zh", "<mark>数</mark><mark>据</mark><mark>管</mark><mark>道</mark>也"),
        ("機械学習", "ja", "<mark>機</mark><mark>械</mark><mark>学</mark><mark>習</mark>エ"),
        (
            "エンジニア",
            "ja",
            "<mark>エ</mark><mark>ン</mark><mark>ジ</mark><mark>ニ</mark><mark>ア</mark>に",
        ),
        ("엔지니어", "ko", "<mark>엔</mark><mark>지</mark><mark>니</mark><mark>어</mark>가"),
    ],
)
def test_a_run_inside_a_longer_run_is_found_and_marked(
    cjk_db: Store, q: str, slug: str, marked: str
) -> None:
    hits = search(cjk_db, q).hits
    assert [h.talk.slug for h in hits] == [slug]
    assert marked in hits[0].snippet


def test_characters_in_another_order_are_not_the_phrase(cjk_db: Store) -> None:
    result = search(cjk_db, "学习机器")  # the characters of 机器学习, in another order
    assert result.relaxed and any("exact phrase was not found" in n for n in result.notes)
    assert all(
        "<mark>学</mark><mark>习</mark><mark>机</mark>" not in h.snippet for h in result.hits
    )


def test_each_character_is_a_word() -> None:
    assert words("機械学習エンジニア") == ["機", "械", "学", "習", "エ", "ン", "ジ", "ニ", "ア"]
    assert words("Python3と機械") == ["python3", "と", "機", "械"]
