import pytest

from app.ingest.srt_file import read_srt
from app.ingest.transcript import TranscriptError
from app.ingest.vtt_file import read_vtt

SRT = """1
00:00:01,000 --> 00:00:03,500
<i>Hello</i> there,
general Kenobi

2
00:00:04,000 --> 00:00:06,000
{\\an8}You are a bold one
"""

YOUTUBE_VTT = """WEBVTT
Kind: captions
Language: en

00:00:00.000 --> 00:00:02.350 align:start position:0%
{space}
so<00:00:00.480><c> welcome</c><00:00:00.799><c> everyone</c>

00:00:02.350 --> 00:00:02.360 align:start position:0%
so welcome everyone
{space}

00:00:02.360 --> 00:00:04.870 align:start position:0%
so welcome everyone
i'm<00:00:02.800><c> excited</c><00:00:03.120><c> to</c><00:00:03.280><c> be</c>

00:00:04.870 --> 00:00:04.880 align:start position:0%
i'm excited to be
{space}

00:00:04.880 --> 00:00:06.950 align:start position:0%
i'm excited to be
here<00:00:05.200><c> thanks</c>
""".format(space=" ")  # YouTube writes a line holding one space


def test_srt_strips_markup_and_joins_lines() -> None:
    segments = read_srt(SRT).segments
    assert [(s.start, s.end, s.text) for s in segments] == [
        (1.0, 3.5, "Hello there, general Kenobi"),
        (4.0, 6.0, "You are a bold one"),
    ]


def test_srt_error_names_a_line() -> None:
    with pytest.raises(TranscriptError) as err:
        read_srt("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:0x,000 --> soon\nbad\n")
    assert err.value.line == 5


def test_vtt_collapses_youtube_rolling_lines() -> None:
    segments = read_vtt(YOUTUBE_VTT).segments
    assert [s.text for s in segments] == ["so welcome everyone", "i'm excited to be", "here thanks"]
    assert [s.start for s in segments] == [0.0, 2.36, 4.88]


def test_vtt_voice_becomes_speaker_and_notes_are_ignored() -> None:
    text = (
        "WEBVTT\n\nSTYLE\n::cue { color: red }\n\nNOTE a comment\n\n"
        "00:00:01.000 --> 00:00:02.000 line:0\n<v Ada Lovelace>Analytical <b>engine</b>\n"
    )
    (segment,) = read_vtt(text).segments
    assert (segment.speaker, segment.text) == ("Ada Lovelace", "Analytical engine")


def test_vtt_malformed_is_an_error() -> None:
    with pytest.raises(TranscriptError):
        read_vtt("WEBVTT\n\nnot a cue at all\n")
