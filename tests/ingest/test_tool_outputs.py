"""Files as the tools people use leave them: Podcasting 2.0 transcripts and chapters (real files
from the podcast namespace's examples, tests/data/podcasting20/SOURCE.md), captions that name
their speakers in the text, a yt-dlp download folder and a Whisper output folder (written here
from each tool's documented output, as no small public sample carries a licence)."""

import json
import shutil
from pathlib import Path

import pytest

from app.ingest.detect import decode, reader_for
from app.ingest.files import transcript_files
from app.ingest.prepare import prepare_file
from app.ingest.transcript import Transcript
from app.search.service import SearchService
from app.store import Store
from tests.conftest import ingest, search_engine_of, table_rows

DATA = Path(__file__).resolve().parents[1] / "data" / "podcasting20"


def read(path: Path) -> Transcript:
    text = decode(path.read_bytes())
    return reader_for(path, text)(text, path)


def test_a_podcast_json_transcript_of_one_word_a_segment_reads_as_lines() -> None:
    transcript = read(DATA / "words.json")
    assert [(s.speaker, s.start, s.text) for s in transcript.segments] == [
        ("Darth Vader", 0.5, "I am your father."),
        ("Luke", 2.75, "Nooooo"),
    ]


def test_speaker_labels_in_srt_text_become_speakers() -> None:
    transcript = read(DATA / "labelled.srt")
    first = transcript.segments[0]
    assert first.speaker == "Travis" and first.text.startswith("When you first get started")
    assert transcript.segments[1].speaker == "Travis"  # a cue without a label continues
    speakers = {s.speaker for s in transcript.segments}
    assert {"Travis", "Sarah", "Gilon"} <= speakers
    assert not any(s.text.startswith(("Travis:", "Sarah:")) for s in transcript.segments)


def test_a_one_off_colon_is_no_speaker(tmp_path: Path) -> None:
    path = tmp_path / "note.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nNote: this is recorded\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nat 3:30 we start again\n"
    )
    transcript = read(path)
    assert [s.speaker for s in transcript.segments] == [None, None]
    assert transcript.segments[0].text == "Note: this is recorded"


def test_webvtt_entities_are_decoded_and_voices_kept() -> None:
    transcript = read(DATA / "voices.vtt")
    assert "Welcome to Podcasting Q&A, where you learn" in transcript.segments[2].text
    assert transcript.segments[0].speaker == "Sarah"


def test_a_chapters_file_beside_its_transcript(tmp_path: Path) -> None:
    shutil.copy(DATA / "words.json", tmp_path / "episode.json")
    shutil.copy(DATA / "chapters.json", tmp_path / "episode.chapters.json")
    files, _ = transcript_files([tmp_path])
    assert [f.name for f in files] == ["episode.json"]  # the chapters file is not a transcript
    prepared = prepare_file(files[0], None)
    assert prepared.error is None and prepared.row is not None
    titles = [title for title, _ in prepared.row.meta["chapters"]]
    assert titles[:2] == ["Intro", "Hearing Aids"]
    alone = prepare_file(tmp_path / "episode.chapters.json", None)
    assert alone.error and "a chapters file, not a transcript" in alone.error


YTDLP_VTT = """WEBVTT
Kind: captions
Language: en

00:00:01.000 --> 00:00:04.000 align:start position:0%
welcome to the talk about sorting lists

00:00:04.000 --> 00:00:08.000 align:start position:0%
the algorithm is called timsort and it is fast
"""
YTDLP_INFO = {
    "id": "abcdefghijk",
    "title": "Sorting in practice",
    "upload_date": "20240315",
    "uploader": "The Sorting Channel",
    "channel": "The Sorting Channel",
    "webpage_url": "https://www.youtube.com/watch?v=abcdefghijk",
    "url": "https://rr3---sn-expiring.googlevideo.com/videoplayback?expire=1",
    "description": "A talk about sorting.",
    "tags": ["python", "algorithms"],
    "chapters": [
        {"start_time": 0.0, "end_time": 4.0, "title": "Welcome"},
        {"start_time": 4.0, "end_time": 8.0, "title": "Timsort"},
    ],
    "duration": 8,
    "extractor": "youtube",
    "extractor_key": "Youtube",
    "_type": "video",
}


def write_ytdlp_folder(folder: Path) -> None:
    """What `yt-dlp --write-auto-subs --write-info-json --skip-download` leaves for one video
    of a channel, and the channel's own info.json."""
    folder.mkdir()
    (folder / "Sorting in practice [abcdefghijk].en.vtt").write_text(YTDLP_VTT)
    (folder / "Sorting in practice [abcdefghijk].info.json").write_text(json.dumps(YTDLP_INFO))
    channel = {"id": "UCxyz", "title": "The Sorting Channel - Videos", "_type": "playlist"}
    (folder / "The Sorting Channel - Videos [UCxyz].info.json").write_text(json.dumps(channel))


def test_a_ytdlp_folder_is_one_talk_with_its_info(db: Store, tmp_path: Path) -> None:
    write_ytdlp_folder(tmp_path / "channel")
    report = ingest(db, tmp_path / "channel")
    assert report.failed == 0 and report.new == 1, report.errors
    ((title, date, video, youtube, speakers, topics),) = table_rows(
        db, "SELECT title, date, video_url, youtube_id, speakers, topics FROM talks"
    )
    assert title == "Sorting in practice" and str(date) == "2024-03-15"
    assert video == "https://www.youtube.com/watch?v=abcdefghijk" and youtube == "abcdefghijk"
    assert "The Sorting Channel" in str(speakers) and "algorithms" in str(topics)
    chapters = [t for (t,) in table_rows(db, "SELECT title FROM chapters ORDER BY ord")]
    assert chapters == ["Welcome", "Timsort"]
    assert table_rows(db, "SELECT language FROM transcripts") == [("en",)]
    hit = SearchService(search_engine_of(db)).search(db, "called timsort").hits[0]
    assert hit.start == 4.0


WHISPER_SEGMENTS = [
    {"id": 0, "start": 0.0, "end": 3.2, "text": " Welcome back to the show about data."},
    {"id": 1, "start": 3.2, "end": 7.9, "text": " Today we talk about feature stores."},
]


def write_whisper_folder(folder: Path) -> None:
    """Whisper's `--output_format all`: one recording as .json .srt .vtt .tsv and .txt."""
    folder.mkdir()
    stem = folder / "episode-12"
    stem.with_suffix(".json").write_text(
        json.dumps({"text": "…", "segments": WHISPER_SEGMENTS, "language": "en"})
    )
    srt, vtt, tsv = [], ["WEBVTT", ""], ["start\tend\ttext"]
    for i, s in enumerate(WHISPER_SEGMENTS, 1):
        a, b = s["start"], s["end"]
        srt += [str(i), f"00:00:0{a:.3f} --> 00:00:0{b:.3f}".replace(".", ","), s["text"], ""]
        vtt += [f"00:00:0{a:.3f} --> 00:00:0{b:.3f}", s["text"].strip(), ""]
        tsv.append(f"{int(a * 1000)}\t{int(b * 1000)}\t{s['text'].strip()}")
    stem.with_suffix(".srt").write_text("\n".join(srt))
    stem.with_suffix(".vtt").write_text("\n".join(vtt))
    stem.with_suffix(".tsv").write_text("\n".join(tsv))
    stem.with_suffix(".txt").write_text(" ".join(s["text"].strip() for s in WHISPER_SEGMENTS))


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_whisper_folder_is_one_transcript_from_its_richest_rendering(
    db: Store, tmp_path: Path
) -> None:
    write_whisper_folder(tmp_path / "whisper")
    skipped: list[str] = []
    files, _ = transcript_files([tmp_path / "whisper"], skipped=skipped)
    assert [f.name for f in files] == ["episode-12.json"]
    assert sorted(Path(line.split(":")[0]).name for line in skipped) == [
        "episode-12.srt",
        "episode-12.txt",
        "episode-12.vtt",
    ]
    report = ingest(db, tmp_path / "whisper")
    assert report.failed == 0 and report.new == 1, report.errors
    hit = SearchService(search_engine_of(db)).search(db, "feature stores").hits[0]
    assert hit.start == 3.2


# Shapes written from each service's documented response (their public samples carry no
# licence that lets them be copied here): what matters is where the words and times are.
SHAPES = {
    "deepgram.json": {
        "metadata": {"duration": 9.0},
        "results": {
            "channels": [{"alternatives": [{"transcript": "hello there general kenobi"}]}],
            "utterances": [
                {"start": 0.5, "end": 2.0, "transcript": "hello there", "speaker": 0},
                {"start": 2.5, "end": 4.0, "transcript": "general kenobi", "speaker": 1},
            ],
        },
    },
    "assemblyai.json": {
        "audio_url": "https://example.org/a.mp3",
        "text": "hello there general kenobi",
        "utterances": [
            {"start": 500, "end": 2000, "text": "hello there", "speaker": "A"},
            {"start": 2500, "end": 4000, "text": "general kenobi", "speaker": "B"},
        ],
    },
    "aws.json": {
        "jobName": "talk",
        "results": {
            "transcripts": [{"transcript": "hello there general kenobi"}],
            "audio_segments": [
                {
                    "start_time": "0.5",
                    "end_time": "2.0",
                    "transcript": "hello there",
                    "speaker_label": "spk_0",
                },
                {
                    "start_time": "2.5",
                    "end_time": "4.0",
                    "transcript": "general kenobi",
                    "speaker_label": "spk_1",
                },
            ],
        },
    },
    "json3.json": {
        "events": [
            {"tStartMs": 0, "dDurationMs": 300},
            {"tStartMs": 500, "dDurationMs": 1500, "segs": [{"utf8": "hello"}, {"utf8": " there"}]},
            {"tStartMs": 2500, "dDurationMs": 1500, "segs": [{"utf8": "general kenobi"}]},
        ]
    },
    "transcript-api.json": {
        "abcdefghijk": [
            {"text": "hello there", "start": 0.5, "duration": 1.5},
            {"text": "general kenobi", "start": 2.5, "duration": 1.5},
        ]
    },
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_speech_to_text_and_youtube_json_shapes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(SHAPES[name]))
    transcript = read(path)
    assert [(s.start, s.text) for s in transcript.segments] == [
        (0.5, "hello there"),
        (2.5, "general kenobi"),
    ]
    if name in ("deepgram.json", "assemblyai.json", "aws.json"):
        first, second = (s.speaker for s in transcript.segments)
        assert first and second and first != second


def test_youtube_xml_captions_read_without_entity_expansion(tmp_path: Path) -> None:
    timedtext = tmp_path / "timedtext.xml"
    timedtext.write_text(
        '<?xml version="1.0" encoding="utf-8" ?><transcript>'
        '<text start="0.5" dur="1.5">hello &amp;amp; welcome</text>'
        '<text start="2.5" dur="1.5">it&amp;#39;s general kenobi</text></transcript>'
    )
    assert [(s.start, s.text) for s in read(timedtext).segments] == [
        (0.5, "hello & welcome"),
        (2.5, "it's general kenobi"),
    ]
    srv3 = tmp_path / "talk.en.srv3"
    srv3.write_text(
        '<?xml version="1.0" encoding="utf-8" ?><timedtext format="3"><body>'
        '<p t="500" d="1500">hello there</p><p t="2500" d="1500">general kenobi</p>'
        "</body></timedtext>"
    )
    assert [s.start for s in read(srv3).segments] == [0.5, 2.5]
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><transcript>'
        '<text start="1" dur="1">&b;</text></transcript>'
    )
    refused = prepare_file(bomb, None)
    assert refused.error and "entities or a DTD" in refused.error


def test_otter_and_rev_text_exports_keep_their_speakers(tmp_path: Path) -> None:
    path = tmp_path / "meeting.txt"
    path.write_text(
        "Jane Doe  0:03\nWelcome everyone. We meet at 3:30 today.\n\n"
        "John Smith  0:15\nThanks Jane.\n\nSpeaker 1 (01:02):\nAnd the budget comes last.\n"
    )
    assert [(s.start, s.speaker, s.text) for s in read(path).segments] == [
        (3.0, "Jane Doe", "Welcome everyone. We meet at 3:30 today."),
        (15.0, "John Smith", "Thanks Jane."),
        (62.0, "Speaker 1", "And the budget comes last."),
    ]


def test_a_podcast_html_transcript_keeps_its_times_and_speakers() -> None:
    transcript = read(DATA / "paragraphs.html")
    assert [(s.start, s.speaker) for s in transcript.segments[:3]] == [
        (0.0, "Travis"),
        (53.0, "Sarah"),
        (102.0, "Travis"),
    ]
    assert transcript.segments[0].text.startswith("When you first get started in podcasting, it's")
    assert transcript.speakers == ["Travis", "Sarah", "Gilon"]


def test_html_without_times_says_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<!DOCTYPE html><html><body><p>Just a web page</p></body></html>")
    prepared = prepare_file(path, None)
    assert prepared.error and "no timed paragraphs" in prepared.error


TTML = """<?xml version="1.0" encoding="utf-8" ?>
<tt xml:lang="en" xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling"
    xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:tickRate="10000000" ttp:frameRate="25">
<head><styling><style xml:id="s1" tts:color="white"/></styling></head>
<body><div>
<p begin="00:00:00.160" end="00:00:03.520" style="s1">welcome back<br />to the show</p>
<p begin="35000000t" end="70000000t"><span tts:color="red">Q&amp;A</span> with timsort</p>
<p begin="00:00:12:05" dur="2s">frames count too</p>
<p begin="1.5m">offsets in minutes</p>
</div></body></tt>
"""


def test_ttml_captions_with_every_kind_of_time(tmp_path: Path) -> None:
    path = tmp_path / "captions.ttml"
    path.write_text(TTML)
    segments = read(path).segments
    assert [(s.start, s.text) for s in segments] == [
        (0.16, "welcome back to the show"),
        (3.5, "Q&A with timsort"),
        (12.2, "frames count too"),
        (90.0, "offsets in minutes"),
    ]
    assert segments[1].end == 7.0 and segments[2].end == pytest.approx(14.2)


def _words(text: str, start: float, step: float) -> list[dict[str, object]]:
    return [
        {
            "word": " " + w,
            "start": round(start + i * step, 2),
            "end": round(start + (i + 1) * step - 0.05, 2),
        }
        for i, w in enumerate(text.split())
    ]


def test_word_times_place_a_hit_on_its_words_not_its_segments_start(
    db: Store, tmp_path: Path
) -> None:
    """Whisper's --word_timestamps output: a 9 s segment of two sentences; the quote in the
    second one opens at its first word's second (6.5), not at the segment's start (0)."""
    first, second = (
        "Welcome back to the show about data.",
        "Today we discuss feature stores at length.",
    )
    segment = {
        "id": 0,
        "start": 0.0,
        "end": 9.0,
        "text": f" {first} {second}",
        "words": _words(first, 0.0, 0.5) + _words(second, 6.5, 0.3),
    }
    (tmp_path / "episode.json").write_text(json.dumps({"text": "", "segments": [segment]}))
    transcript = read(tmp_path / "episode.json")
    assert [(s.start, s.text) for s in transcript.segments] == [(0.0, first), (6.5, second)]
    report = ingest(db, tmp_path)
    assert report.failed == 0, report.errors
    hit = SearchService(search_engine_of(db)).search(db, "we discuss feature stores").hits[0]
    assert hit.start == 6.5


def test_untimed_or_disordered_words_keep_the_segment_whole(tmp_path: Path) -> None:
    words = [{"word": "one", "start": 2.0, "end": 2.5}, {"word": "2", "score": 0.1}]
    disordered = [{"word": "a.", "start": 3.0, "end": 3.1}, {"word": "b", "start": 1.0, "end": 1.2}]
    for i, given in enumerate([words, disordered, "not a list"]):
        path = tmp_path / f"t{i}.json"
        path.write_text(
            json.dumps({"segments": [{"start": 1.0, "end": 4.0, "text": "one 2", "words": given}]})
        )
        assert [s.start for s in read(path).segments] == [1.0]


def test_a_videos_captions_in_several_languages_are_one_talk_its_own_leading(
    db: Store, tmp_path: Path
) -> None:
    """yt-dlp --sub-langs en,de: the German captions translate the English video."""
    write_ytdlp_folder(tmp_path / "channel")
    folder = tmp_path / "channel"
    info = folder / "Sorting in practice [abcdefghijk].info.json"
    info.write_text(json.dumps({**json.loads(info.read_text()), "language": "en"}))
    german = YTDLP_VTT.replace("called timsort", "heißt timsort")
    (folder / "Sorting in practice [abcdefghijk].de.vtt").write_text(german)
    report = ingest(db, folder)
    assert report.failed == 0, report.errors
    assert table_rows(db, "SELECT slug FROM talks") == [("sorting-in-practice-abcdefghijk",)]
    kinds = sorted(table_rows(db, "SELECT kind, language FROM transcripts"))
    assert kinds == [("captions", "en"), ("translation", "de")]
    hit = SearchService(search_engine_of(db)).search(db, "heißt timsort").hits[0]
    assert hit.talk.slug == "sorting-in-practice-abcdefghijk" and hit.start == 4.0


STT = Path(__file__).resolve().parents[1] / "data" / "stt"


@pytest.mark.parametrize(
    ("name", "quote", "second"),
    [
        ("assemblyai_utterances.json", "looking forward to it just being normal", 8.932),
        ("assemblyai_transcription.json", "looking forward to it just being normal", 8.932),
        ("dg_utterances.json", "with an all female team", 6.32),
        ("dg_transcription.json", "the first spacewalk with an all female team", 4.4),
        ("whisper_timestamped.json", "looking forward to it just being normal", 8.54),
    ],
)
def test_real_speech_to_text_files_load_with_their_quotes_at_their_second(
    db: Store, tmp_path: Path, name: str, quote: str, second: float
) -> None:
    shutil.copy(STT / name, tmp_path / name)
    report = ingest(db, tmp_path)
    assert report.failed == 0 and report.new == 1, report.errors
    hit = SearchService(search_engine_of(db)).search(db, quote).hits[0]
    assert hit.start == pytest.approx(second, abs=0.01)
    if name.startswith("assemblyai"):
        assert hit.speaker == "Speaker A"


def test_a_folder_of_every_real_sample_loads(db: Store, tmp_path: Path) -> None:
    for source in (STT, DATA):
        for file in source.iterdir():
            if file.suffix in (".json", ".srt", ".vtt", ".html"):
                shutil.copy(file, tmp_path / f"{source.name}-{file.name}")
    report = ingest(db, tmp_path)
    assert report.failed == 0, report.errors
    assert report.new == 9  # 5 speech-to-text files, 4 podcast transcripts (chapters beside)


def test_speaker_labels_in_timestamped_text_become_speakers(tmp_path: Path) -> None:
    """A Descript-style text export: '[00:00:03] Name: text' on every line."""
    path = tmp_path / "export.txt"
    path.write_text(
        "[00:00:03] Jane Doe: Hello there and welcome to the show.\n"
        "[00:00:09] John Smith: Thanks for having me.\n"
        "[00:00:15] Jane Doe: Let us talk about feature stores today.\n"
        "[00:00:21] John Smith: Feature stores keep features in one place.\n"
    )
    segments = read(path).segments
    assert [(s.start, s.speaker) for s in segments] == [
        (3.0, "Jane Doe"),
        (9.0, "John Smith"),
        (15.0, "Jane Doe"),
        (21.0, "John Smith"),
    ]
    assert segments[2].text == "Let us talk about feature stores today."
