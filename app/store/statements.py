"""Every statement both backends run, written once with `?` placeholders (a backend whose driver
wants another style rewrites them): what a snapshot reads and what a writer writes."""

TRANSCRIPT_FIELDS = (
    "id",
    "source_path",
    "own_slug",
    "talk_slug",
    "kind",
    "format",
    "language",
    "content_hash",
    "youtube_id",
    "media_url",
    "talk_key",
    "meta",
    "body",
)

CHECK_SQL = "SELECT 1 FROM archive_changes LIMIT 1"  # the smallest read that proves the schema
TERMS_SQL = "SELECT id, talk_id, word_start, terms FROM passages WHERE id IN ({marks})"
HIT_SQL = (
    "SELECT p.id, p.talk_id, p.word_start, p.first_segment, p.last_segment, "
    "t.slug, t.title, t.date, t.speakers, t.youtube_id, t.video_url, t.media_url "
    "FROM passages p JOIN talks t ON t.id = p.talk_id WHERE p.id IN ({marks})"
)
# each hit's segments: (hit number, talk id, first segment, last segment) as a table
SEGMENTS_SQL = (
    "WITH wanted(hit, talk_id, first, last) AS ({table}) "
    'SELECT w.hit, s.ord, s.start, s."end", s.speaker, s.text, s.word_offset, s.word_count, '
    "s.transcript_id, s.word_times FROM wanted w JOIN segments s ON s.talk_id = w.talk_id "
    "AND s.ord BETWEEN w.first AND w.last ORDER BY w.hit, s.ord"
)
PASSAGE_SEGMENTS_SQL = (
    "SELECT p.id, s.ord, s.start, s.\"end\", s.speaker, '', s.word_offset, s.word_count, "
    "s.transcript_id, s.word_times FROM passages p JOIN segments s "
    "ON s.talk_id = p.talk_id AND s.ord BETWEEN p.first_segment AND p.last_segment + 1 "
    "WHERE p.id IN ({marks}) ORDER BY p.id, s.ord"
)
# each passage's segment holding one word of it, and the start and transcript of the segment
# after: a moment's facts without every segment a passage spans (several; more for captions)
MOMENT_CHUNK = 250  # passages a statement (two parameters each)
# ... and the talk's leading transcript (its first segment's), which the page reads next
MOMENT_SEGMENTS_SQL = (
    "WITH wanted(pid, word) AS ({table}) "
    "SELECT w.pid, s.ord, s.start, s.\"end\", s.speaker, '', s.word_offset, s.word_count, "
    "s.transcript_id, s.word_times, n.start, n.transcript_id, "
    "p.talk_id, lt.id, lt.kind, lt.format, lt.language "
    "FROM wanted w JOIN passages p ON p.id = w.pid JOIN segments s ON s.talk_id = p.talk_id "
    "AND s.ord BETWEEN p.first_segment AND p.last_segment "
    "AND s.word_offset <= w.word AND s.word_offset + s.word_count > w.word "
    "LEFT JOIN segments n ON n.talk_id = s.talk_id AND n.ord = s.ord + 1 "
    "LEFT JOIN segments l ON l.talk_id = p.talk_id AND l.ord = 0 "
    "LEFT JOIN transcripts lt ON lt.id = l.transcript_id"
)
LEAD_TRANSCRIPTS_SQL = (
    "SELECT s.talk_id, t.id, t.kind, t.format, t.language FROM segments s "
    "JOIN transcripts t ON t.id = s.transcript_id WHERE s.ord = 0 AND s.talk_id IN ({marks})"
)
TRANSCRIPT_KINDS_SQL = "SELECT id, kind, format, language FROM transcripts WHERE id IN ({marks})"
SEGMENT_AT_SQL = (
    "SELECT ord, start, \"end\", speaker, '', word_offset, word_count, transcript_id, word_times "
    "FROM segments WHERE talk_id = ? AND transcript_id = ? AND start <= ? "
    "ORDER BY ord DESC LIMIT 1"
)
PASSAGES_HOLDING_SQL = (
    "SELECT id FROM passages WHERE talk_id = ? AND word_start <= ? AND word_end > ? "
    "ORDER BY word_start"
)
TRANSCRIPT_SOURCES_SQL = "SELECT source_path FROM transcripts ORDER BY source_path"
TRANSCRIPT_HASH_SQL = "SELECT content_hash FROM transcripts WHERE source_path = ?"
TRANSCRIPT_DIGESTS_SQL = "SELECT source_path, content_hash FROM transcripts"
TRANSCRIPT_PATHS_SQL = (
    "SELECT source_path FROM transcripts WHERE own_slug = ? OR talk_slug = ? ORDER BY source_path"
)
WORD_COUNT_SQL = "SELECT count FROM vocabulary WHERE word = ?"
PREFIX_SQL = "SELECT word FROM vocabulary WHERE word >= ? AND word < ? ORDER BY count DESC LIMIT ?"
VOCABULARY_SQL = "SELECT word, count, sounds FROM vocabulary"
# how many times a talk was written or forgotten (migrations/0012), read with each version: a
# talk written again may keep its id, and so its vectors' row (SQLite gives a new row a deleted
# highest id)
TALK_CHANGES = "coalesce((SELECT talk_changes FROM archive_changes), 0)"
TALK_CHANGED_SQL = "UPDATE archive_changes SET talk_changes = talk_changes + 1"
VERSION_SQL = (
    "SELECT count(*), coalesce(max(id), 0), coalesce(sum(word_count), 0), "
    f"{TALK_CHANGES} FROM talks"
)
TERM_PASSAGES_SQL = "SELECT passages FROM term_passages WHERE term = ?"
TERMS_PASSAGES_SQL = "SELECT term, passages FROM term_passages WHERE term IN ({marks})"
PASSAGE_COUNT_SQL = "SELECT coalesce(sum(passage_count), 0) FROM talks"
TALK_HASHES_SQL = "SELECT id, content_hash FROM talks"
TO_INDEX_SQL = (
    "SELECT p.id, p.talk_id, p.terms, p.speakers, t.slug, t.date "
    "FROM passages p JOIN talks t ON t.id = p.talk_id WHERE p.talk_id = ? ORDER BY p.id"
)
VECTOR_HASHES_SQL = "SELECT talk_id, content_hash, model FROM talk_vectors"
TALK_VECTORS_SQL = (
    "SELECT v.talk_id, v.passage_ids, v.vectors FROM talk_vectors v "
    "JOIN talks t ON t.id = v.talk_id AND t.content_hash = v.content_hash "
    "WHERE v.model = ? ORDER BY v.talk_id"
)
TALKS_VECTORS_SQL = (
    "SELECT v.talk_id, v.passage_ids, v.vectors FROM talk_vectors v "
    "JOIN talks t ON t.id = v.talk_id AND t.content_hash = v.content_hash "
    "WHERE v.model = ? AND v.talk_id IN ({marks}) ORDER BY v.talk_id"
)
VECTORS_VERSION_SQL = f"SELECT count(*), coalesce(max(id), 0), {TALK_CHANGES} FROM talk_vectors"
FIT_SQL = (
    "SELECT model, tokens, sample_passages, archive_passages FROM meaning_fits "
    "WHERE base_model = ? ORDER BY id DESC LIMIT 1"
)
FITTED_MODEL_SQL = "SELECT model FROM meaning_fits WHERE base_model = ? ORDER BY id DESC LIMIT 1"
PUT_FIT_SQL = (
    "INSERT INTO meaning_fits(base_model, model, tokens, sample_passages, archive_passages) "
    "VALUES (?, ?, ?, ?, ?)"
)
FORGET_FITS_SQL = "DELETE FROM meaning_fits WHERE base_model = ? AND model <> ?"
CLEAR_FITS_SQL = "DELETE FROM meaning_fits"
PASSAGE_WINDOWS_SQL = (
    "SELECT id, word_start, word_end FROM passages WHERE talk_id = ? ORDER BY word_start, id"
)
SEGMENT_TEXTS_SQL = "SELECT text FROM segments WHERE talk_id = ? ORDER BY ord"
PASSAGE_SAID_AT_SQL = (
    "SELECT p.id FROM passages p JOIN talks t ON t.id = p.talk_id "
    "JOIN segments s ON s.talk_id = p.talk_id AND s.ord = p.first_segment "
    "WHERE t.slug = ? AND s.start <= ? ORDER BY s.start DESC, p.word_start DESC LIMIT 1"
)
FIRST_PASSAGE_SQL = (
    "SELECT p.id FROM passages p JOIN talks t ON t.id = p.talk_id WHERE t.slug = ? "
    "ORDER BY p.word_start LIMIT 1"
)
PUT_VECTORS_SQL = (
    "INSERT INTO talk_vectors(talk_id, content_hash, model, passage_ids, vectors) "
    "SELECT id, content_hash, ?, ?, ? FROM talks WHERE id = ? AND content_hash = ?"
)
DELETE_VECTORS_SQL = "DELETE FROM talk_vectors WHERE talk_id = ?"
CLEAR_VECTORS_SQL = "DELETE FROM talk_vectors"
VECTORS_OF_SQL = "SELECT 1 FROM talk_vectors WHERE talk_id = ?"
SEGMENT_COLUMNS = (
    "ord", "start", "end", "speaker", "text", "word_offset", "word_count", "transcript_id",
    "word_times",
)  # fmt: skip
PASSAGE_COLUMNS = ("word_start", "word_end", "first_segment", "last_segment", "speakers", "terms")
ADD_WORDS_SQL = (
    "INSERT INTO vocabulary(word, count, sounds) VALUES (?, ?, ?) "
    "ON CONFLICT(word) DO UPDATE SET count = vocabulary.count + excluded.count"
)
SUBTRACT_WORDS_SQL = "UPDATE vocabulary SET count = count - ? WHERE word = ?"  # (n, word)
PRUNE_WORDS_SQL = "DELETE FROM vocabulary WHERE count <= 0"
ADD_TERMS_SQL = (
    "INSERT INTO term_passages(term, passages) VALUES (?, ?) "
    "ON CONFLICT(term) DO UPDATE SET passages = term_passages.passages + excluded.passages"
)
SUBTRACT_TERMS_SQL = "UPDATE term_passages SET passages = passages - ? WHERE term = ?"
PRUNE_TERMS_SQL = "DELETE FROM term_passages WHERE passages <= 0"
COUNT_CHANGES = {
    "subtract_words": SUBTRACT_WORDS_SQL,
    "add_terms": ADD_TERMS_SQL,
    "subtract_terms": SUBTRACT_TERMS_SQL,
}
