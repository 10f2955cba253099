"""The latest view: `<root>/latest/<dataset>/*.parquet`, plain Parquet for any reader.

`<root>/latest` is a symbolic link to a generation folder, `<root>/.latest/gNNNNNN/`, holding
`questions/`, `answers/`, `doctors/` and `_manifest.json` (the crawls and snapshot files the
generation covers). Each dataset is split into key buckets (crc32 of the bucket key, modulo the
dataset's count, recorded in the manifest): one file per bucket, every bucket present, even
empty; a key lives in exactly one bucket. Answers are bucketed by their question, so the
answers of a question, a set fetched together, are all in one bucket; an answer that moved to
another question keeps only its newest row, whatever bucket held the others. The count follows the
size: the least power of two that keeps a bucket to BUCKET_ROWS rows (a small site's view is
one file per dataset); an update that would pass that splits the dataset's buckets (the count
doubles or more, never shrinks), reading the view itself, not the history. A bucket holds the latest row of each of
its keys over all committed crawls (every crawl with a `crawls` row, whatever its status), by
the loader's rule (`winners`: the newest fetch), but for answers the site no longer shows: an
answer row older than its question's newest fetch is left out (`latest_answers`).

Consistent at every moment: an update builds the next generation beside the current one (new
files for the buckets the new crawls touch, hard links for the others), then switches the link
in one rename. A file name is never reused for other content (a rewritten bucket gets the new
generation's name), so a reader sees one generation whole: each key exactly once. A reader that
listed the old generation and opens a bucket the update replaced after the switch gets "no such
file" (and reads again), never a mix. The generation before stays one update longer, and the
project's own readers (pipelines.loader, pipelines.query) resolve the link once, so they read
one generation even across a switch. A kill at any point leaves the link on the old generation
or the new one, both whole; the next update removes what a killed one left.

Cost follows the work: only the snapshot files the manifest does not cover are read, split by
bucket into spill files; only the buckets they touch are rewritten, one at a time, streamed by
row groups. Memory is the key columns of one bucket plus one row group, whatever the history;
with more than one answers bucket, also the key columns of the update's answer rows (all of
them when the view is rebuilt or split), to find an answer held by two buckets.
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from crawler.install import MachineFailure, not_the_file
from pipelines.output.names import crawl_of_file, data_folder
from pipelines.output.parquet import fsync_folder, read_table_file, unreadable_row
from pipelines.schemas import KEYS, SCHEMAS

logger = logging.getLogger(__name__)

DATASETS = ("questions", "answers", "doctors")
BUCKETS = 1  # the least count of a dataset's buckets
BUCKET_ROWS = 20_000  # the most rows of a bucket: a dataset's count is the least power of two keeping to it
ROW_GROUP_ROWS = 50_000
ROW_GROUP_BYTES = 8 * 1024 * 1024  # or fewer rows: answers' bodies make a row a kilobyte or more
# Rows read at a time: 2,048 answers are a few MB with their bodies, and each batch is copied
# a few times (conformed, filtered, split by bucket); 65,536 were ~70 MB, which the allocator
# then kept: the update runs at the end of a crawl, already at its peak.
BATCH_ROWS = 2_048
MANIFEST = "_manifest.json"
GENERATIONS = ".latest"  # <root>/.latest/gNNNNNN: the generations `<root>/latest` points to
FORMAT = 3  # 2: a bucket count per dataset; 3: answers bucketed by their question
# What a dataset's rows are bucketed by: an answer goes with its question, whose newest fetch
# says which answers are still shown (`latest_answers`).
BUCKET_KEYS = {"questions": "question_id", "answers": "question_id", "doctors": "doctor_id"}
PARQUET_MAGIC = b"PAR1"


class LatestError(Exception):
    """The view cannot be updated (e.g. a committed crawl's file is unreadable); latest/ is unchanged."""


@dataclass
class Update:
    rows_applied: int = 0
    files_applied: int = 0
    buckets_rewritten: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    per_dataset: dict = field(default_factory=dict)


# the rule ------------------------------------------------------------------------------------

def rank(fetched, started) -> tuple:
    """A row's place among the rows of its key, compared as a tuple (the highest is the newest):
    its fetch (`fetched_at`), then its crawl's start, both int64 µs; of equal places the later
    row wins. The one rule: `winners` sorts by it, and a reparse picks its rows by it (scalars
    or numpy arrays alike)."""
    return fetched, started


def winners(site, key, started, fetched) -> np.ndarray:
    """A boolean mask of the rows to keep: the latest row per (site, key).

    The newest fetch wins (the row's `fetched_at`), ties broken by the crawl that started last
    (the same response parsed again by a reparse: the later parse wins), then by position (a
    later row wins). The fetch, not the crawl's start: a crawl resumed days later fetched its
    new rows after any crawl that ran in between, and a reparse of an old archive holds old
    fetches. A row with a null site was written before the column existed: it stands for its
    key on every site, kept only when no row of the key with a site is newer.
    Arguments are equal-length sequences or Arrow arrays (started and fetched as int64, nulls as
    the minimum). Numpy on integer codes: a small bucket costs microseconds, where a pandas
    frame cost milliseconds, once a bucket."""
    places = rank(np.asarray(fetched, dtype=np.int64), np.asarray(started, dtype=np.int64))
    order = np.lexsort(places[::-1])  # lexsort's last key is its first
    order_of = np.empty(len(order), dtype=np.int64)
    order_of[order] = np.arange(len(order))  # stable sort: a later row of a tie ranks higher
    sites, keys = _codes(site), _codes(key)
    span = int(keys.max(initial=0)) + 1  # key codes are below it: (site, key) -> one int64
    has_site = sites > 0
    keep = np.zeros(len(order_of), dtype=bool)
    sited = np.flatnonzero(has_site)
    keep[sited[_newest(sites[sited] * span + keys[sited], order_of[sited])]] = True
    unsited = np.flatnonzero(~has_site)
    if len(unsited):
        newest_sited = np.full(span, -1, dtype=np.int64)
        np.maximum.at(newest_sited, keys[sited], order_of[sited])
        candidates = unsited[_newest(keys[unsited], order_of[unsited])]
        keep[candidates[newest_sited[keys[candidates]] < order_of[candidates]]] = True
    return keep


def _codes(values) -> np.ndarray:
    """Equal values, equal codes (int64): 0 for null, 1 and up for the values."""
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(list(values), type=pa.string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    indices = array.dictionary_encode().indices
    return pc.fill_null(pc.add(indices.cast(pa.int64()), 1), 0).to_numpy(zero_copy_only=False)


def _newest(groups: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Positions of the highest-ranked item of each group."""
    order = np.lexsort((rank, groups))
    ordered = groups[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = ordered[1:] != ordered[:-1]
    return order[last]


def latest_answers(answers: pa.Table, questions: pa.Table, started_of: dict) -> np.ndarray:
    """A boolean mask of the answer rows to keep: the answers of each question's newest fetch.

    The answers of a question are a set fetched together: the page's rows share the question
    row's `fetched_at` and crawl. So an answer row older (by `rank`) than its question's newest
    row is one the site no longer shows (a moderator removed it, or every answer went), and is
    left out even though it is its key's newest row. Of the others, the latest row per (site,
    answer_id) is kept (`winners`). `answers` holds site, answer_id, question_id, crawl_id and
    fetched_at; `questions` any rows of the questions (the snapshots, or the view's rows) with
    site, question_id, crawl_id and fetched_at. An answer whose question has no row, or with a
    null site (written before answers had the column), keeps its key's newest row."""
    keep = winners(*rank_columns(answers, "answer_id", started_of))
    newest = questions.filter(pa.array(winners(*rank_columns(questions, "question_id", started_of))))
    a_site, a_question, a_started, a_fetched = rank_columns(answers, "question_id", started_of)
    q_site, q_question, q_started, q_fetched = rank_columns(newest, "question_id", started_of)
    sites = _codes(_joined(a_site, q_site))
    questions_codes = _codes(_joined(a_question, q_question))
    span = int(questions_codes.max(initial=0)) + 1
    pairs = sites * span + questions_codes  # (site, question_id) -> one int64
    count = len(keep)
    sited = np.flatnonzero(sites[count:] > 0)  # a question row with no site answers for none
    if not len(sited):
        return keep
    order = sited[np.argsort(pairs[count:][sited], kind="stable")]
    held = pairs[count:][order]
    at = np.minimum(np.searchsorted(held, pairs[:count]), len(held) - 1)
    found = (sites[:count] > 0) & (held[at] == pairs[:count])
    fetched, started = q_fetched[order[at]], q_started[order[at]]  # rank of each answer's question
    older = found & ((a_fetched < fetched) | ((a_fetched == fetched) & (a_started < started)))
    return keep & ~older


def _joined(first, second) -> pa.Array:
    """Two string columns (arrays or chunked) as one array, the first's values first."""
    parts = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in (first, second)]
    return pa.concat_arrays([part.cast(pa.string()) for part in parts])


def rank_columns(table: pa.Table, key: str, started_of: dict) -> tuple:
    """(site, key, started, fetched) of a table with the dataset's key columns, for `winners`;
    `started_of` maps crawl ids to their start (int64 µs)."""
    ids = list(started_of)
    starts = pa.array([started_of[i] for i in ids], type=pa.int64())
    started = pc.take(starts, pc.index_in(table["crawl_id"], value_set=pa.array(ids, type=pa.string())))
    low = np.iinfo(np.int64).min
    started = pc.fill_null(started, low).to_numpy(zero_copy_only=False)
    fetched = pc.fill_null(table["fetched_at"].cast(pa.int64()), low).to_numpy(zero_copy_only=False)
    site = table["site"] if "site" in table.column_names else pa.nulls(table.num_rows, pa.string())
    return site, table[key], started, fetched


def bucket_count(rows: int, least: int = BUCKETS, bucket_rows: int = BUCKET_ROWS) -> int:
    """`least`, doubled as often as it takes to keep `rows` to `bucket_rows` a bucket."""
    count = max(1, least)
    while rows > count * bucket_rows:
        count *= 2
    return count


def key_hashes(keys: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """crc32 of each key's UTF-8 text (stable across versions): a bucket is this modulo the count."""
    return np.fromiter((zlib.crc32((k or "").encode("utf-8", "surrogatepass")) for k in keys.to_pylist()),
                       dtype=np.int64, count=len(keys))


def bucket_of(keys: pa.ChunkedArray | pa.Array, buckets: int) -> np.ndarray:
    """The bucket of each key: crc32 of its UTF-8 text, modulo the count."""
    return key_hashes(keys) % buckets


# reading ---------------------------------------------------------------------------------------

def conform(data: pa.Table | pa.RecordBatch, schema: pa.Schema) -> pa.Table:
    """`data` in `schema`: a column it lacks (a file written before the column existed) is null."""
    columns = [data.column(f.name).cast(f.type) if f.name in data.schema.names else pa.nulls(data.num_rows, f.type)
               for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def is_parquet(path: Path) -> str | None:
    """None for a file that looks like whole Parquet (magic at both ends), else why not."""
    try:
        size = path.stat().st_size
        if size < 12:
            return f"not a Parquet file ({size} bytes)"
        with open(path, "rb") as f:
            head = f.read(4)
            f.seek(-4, os.SEEK_END)
            tail = f.read(4)
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if head != PARQUET_MAGIC or tail != PARQUET_MAGIC:
        return "not a Parquet file (no Parquet magic bytes)"
    return None


COMMITTED_COLUMNS = ["crawl_id", "started_at", "finished_at"]


def committed_crawls(root: Path) -> dict[str, tuple[int, str]]:
    """crawl_id -> (started_at in µs, finished_at as text) of every crawl with a `crawls` row;
    LatestError when a file among the rows cannot be read (it may be one)."""
    out = {}
    for path in sorted((Path(root) / "crawls").glob("crawl_date=*/*.parquet")):
        if path.name.startswith((".", "_")):
            continue
        try:
            table = read_table_file(path, COMMITTED_COLUMNS)
        except ValueError as error:  # no crawls row (a stray file)
            logger.debug("skipped %s: %s", path, error)  # the loader warns
            continue
        except OSError as error:  # a row maybe: a view without its crawl would drop its rows
            raise LatestError(unreadable_row(path, error)) from error
        if table is None or table.column_names != COMMITTED_COLUMNS:
            continue
        for crawl_id, started, finished in zip(table["crawl_id"].to_pylist(),
                                               table["started_at"].cast(pa.int64()).to_pylist(),
                                               table["finished_at"].cast(pa.int64()).to_pylist()):
            out[crawl_id] = (started, str(finished))
    return out


def snapshot_files(root: Path, dataset: str) -> list[Path]:
    """Every visible Parquet file of a dataset's snapshots (hidden and temporary names skipped)."""
    return sorted(p for p in (Path(root) / dataset).glob("crawl_date=*/*.parquet")
                  if not p.name.startswith((".", "_")) and p.is_file())


def committed_files(root: Path, dataset: str, crawls: dict) -> dict[str, Path]:
    """The snapshot files of committed crawls (`crawls`: ids), by their path below `root`:
    what the view covers once up to date."""
    return {str(p.relative_to(root)): p for p in snapshot_files(root, dataset) if crawl_of_file(p) in crawls}


def generation(root: Path) -> Path | None:
    """The generation folder `<root>/latest` points to now (resolved once: stable while it lives)."""
    link = Path(root) / "latest"
    if not link.is_symlink():
        return None
    target = Path(os.path.realpath(link))
    return target if target.is_dir() else None


def read_manifest(folder: Path | None) -> dict | None:
    """The manifest of a generation folder, or None."""
    if folder is None:
        return None
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == FORMAT else None


def current_buckets(root: Path, crawls: dict | None = None) -> dict[str, list[Path]] | None:
    """The bucket files of each dataset when latest/ covers exactly the committed crawls and
    their files, else None. The files too: a resumed crawl that was killed again publishes
    files under an id whose `crawls` row is unchanged, and a view without them is behind.

    The paths are inside the generation folder (resolved once), so they stay the same files
    even if an update switches `latest` meanwhile."""
    folder = generation(root)
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    if crawls is None:
        try:
            crawls = committed_crawls(root)
        except LatestError:  # a row not read: the view is not known to cover it (readers name the file)
            return None
    if manifest.get("crawls") != {crawl_id: finished for crawl_id, (_, finished) in crawls.items()}:
        return None
    applied = manifest.get("files", {})
    if any(set(applied.get(d, [])) != set(committed_files(Path(root), d, crawls)) for d in DATASETS):
        return None
    files = {d: [folder / d / name for name in manifest["names"][d]] for d in DATASETS}
    if any(is_parquet(p) for paths in files.values() for p in paths):
        return None
    return files


def _schema_print(schema: pa.Schema) -> list[str]:
    return [f"{f.name} {f.type}" for f in schema]


# writing ---------------------------------------------------------------------------------------

def _switch(root: Path, target: str) -> None:
    """Point `<root>/latest` at `target` (relative) in one rename: the readers' atomic switch."""
    link, tmp = root / "latest", root / GENERATIONS / ".latest.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    if link.is_dir() and not link.is_symlink():  # not a view of ours: derived data, rebuilt
        shutil.rmtree(link)
    os.replace(tmp, link)
    fsync_folder(root)


class _Sink:
    """A Parquet file written in row groups of about ROW_GROUP_ROWS rows or ROW_GROUP_BYTES,
    whichever comes first, then fsynced."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.path, self.schema = path, schema
        self.file = open(path, "wb")
        self.writer = pq.ParquetWriter(self.file, schema, compression="zstd")
        self.pending: list[pa.Table] = []
        self.pending_rows = self.pending_bytes = 0
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        if table.num_rows:
            self.pending.append(table)
            self.pending_rows += table.num_rows
            self.pending_bytes += table.nbytes
            if self.pending_rows >= ROW_GROUP_ROWS or self.pending_bytes >= ROW_GROUP_BYTES:
                self.flush()

    def flush(self) -> None:
        if self.pending_rows:
            table = pa.concat_tables(self.pending)
            self.writer.write_table(table, row_group_size=table.num_rows)
            self.rows += table.num_rows
        self.pending, self.pending_rows, self.pending_bytes = [], 0, 0

    def close(self) -> None:
        self.flush()
        self.writer.close()
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()


def _spill(files: list[Path], root: Path, dataset: str, crawls: dict, buckets: int,
           spill: Path) -> tuple[dict, int, np.ndarray]:
    """The rows of `files` (committed crawls only) split by bucket into Arrow IPC files; with
    them, the hashes of their bucket keys (each once)."""
    schema = SCHEMAS[dataset]
    writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    sinks = {}
    committed = pa.array(list(crawls), type=pa.string())
    rows = 0
    hashes = [np.empty(0, dtype=np.int64)]
    try:
        for path in files:
            parquet = _parquet(path)
            try:
                for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                    table = conform(batch, schema)
                    table = table.filter(pc.is_in(table["crawl_id"], value_set=committed))
                    if not table.num_rows:
                        continue
                    rows += table.num_rows
                    hashed = key_hashes(table[BUCKET_KEYS[dataset]])
                    hashes.append(np.unique(hashed))
                    of = hashed % buckets
                    for bucket in np.unique(of):
                        if bucket not in writers:
                            sinks[bucket] = pa.OSFile(str(spill / f"{dataset}-{bucket:04d}.arrow"), "wb")
                            writers[bucket] = pa.ipc.new_file(sinks[bucket], schema)
                        writers[bucket].write_table(table.filter(pa.array(of == bucket)))
            except pa.ArrowException as error:
                not_the_file(error)
                raise LatestError(f"cannot read {path}: {str(error).splitlines()[0]}") from error
    finally:
        for bucket, writer in writers.items():
            writer.close()
            sinks[bucket].close()
    return {int(b): spill / f"{dataset}-{b:04d}.arrow" for b in writers}, rows, np.unique(np.concatenate(hashes))


QUESTION_COLUMNS = ["site", "question_id", "crawl_id", "fetched_at"]  # what `latest_answers` reads of questions


def _key_columns(schema: pa.Schema, dataset: str) -> list[str]:
    names = dict.fromkeys(("site", KEYS[dataset], BUCKET_KEYS[dataset], "crawl_id", "fetched_at"))
    return [name for name in names if name in schema.names]


def _merge_bucket(dataset: str, old: Path | None, new: Path | None, out: Path, started_of: dict,
                  questions: list[Path]) -> int:
    """Write the latest rows of `old` (a bucket file) and `new` (spilled rows) to `out`; its rows.
    `questions`: the question buckets of the generation being made (answers keep those of their
    question's newest fetch)."""
    schema = SCHEMAS[dataset]
    columns = _key_columns(schema, dataset)
    parts = []
    old_file = pq.ParquetFile(old) if old is not None else None
    if old_file is not None:
        parts.append(_key_rows(old_file, pa.schema([schema.field(c) for c in columns])))
    new_reader = pa.ipc.open_file(pa.memory_map(str(new))) if new is not None else None
    if new_reader is not None:
        parts.append(new_reader.read_all().select(columns))
    keys = pa.concat_tables(parts) if parts else pa.schema([schema.field(c) for c in columns]).empty_table()
    if dataset == "answers":
        keep = latest_answers(keys, _question_rows(questions, keys["question_id"]), started_of)
    else:
        keep = winners(*rank_columns(keys, KEYS[dataset], started_of))
    sink = _Sink(out, schema)
    offset = 0
    try:
        if old_file is not None:
            offset = _copy_kept(old_file, sink, keep)
        if new_reader is not None:
            for i in range(new_reader.num_record_batches):
                batch = new_reader.get_batch(i)
                sink.add(pa.Table.from_batches([batch]).filter(pa.array(keep[offset: offset + batch.num_rows])))
                offset += batch.num_rows
    finally:
        sink.close()
    return sink.rows


def _key_rows(file: pq.ParquetFile, schema: pa.Schema) -> pa.Table:
    """The key columns (`schema`) of a bucket's rows; null where its file predates a column."""
    return conform(file.read(columns=[c for c in schema.names if c in file.schema_arrow.names]), schema)


def _copy_kept(file: pq.ParquetFile, sink: _Sink, keep: np.ndarray) -> int:
    """The rows of a bucket `file` that `keep` marks, added to `sink` a batch at a time (memory:
    one batch, whatever the bucket); how many rows the file held."""
    offset = 0
    for batch in file.iter_batches(batch_size=BATCH_ROWS):
        sink.add(conform(batch, sink.schema).filter(pa.array(keep[offset: offset + batch.num_rows])))
        offset += batch.num_rows
    return offset


def _one_row_per_answer(folder: Path, names: list[str], spills: dict, view: list[Path], started_of: dict) -> set:
    """Rewrite the answers buckets of the generation being made (`folder`, its bucket `names`,
    updated) that hold an answer another bucket holds too, without the rows that lose; the
    buckets rewritten. Answers are bucketed by their question, so an answer that moved to
    another question would otherwise keep its row under the old one, in a bucket this update
    left alone: read twice. Only the answers of this update's rows (`spills`) can be: the view
    before it (`view`; none when the spills hold its rows) had each answer once. Of an answer's
    rows, the update's and the view's, the newest (`winners`) is kept where its bucket's merge
    kept it (`latest_answers`), as one bucket holding them all would keep it; the others go."""
    columns = _key_columns(SCHEMAS["answers"], "answers")
    schema = pa.schema([SCHEMAS["answers"].field(c) for c in columns])
    parts = [schema.empty_table()]
    parts += [pa.ipc.open_file(pa.memory_map(str(path))).read_all().select(columns) for path in spills.values()]
    wanted = pc.unique(pa.concat_tables(parts)["answer_id"].combine_chunks())
    parts += [_answer_rows(path, schema, wanted) for path in view]  # one bucket read at a time
    rows = pa.concat_tables(parts)
    buckets = bucket_of(rows["question_id"], len(names))
    spread = _spread(rows["answer_id"], buckets)
    if not spread.any():
        return set()
    moved = pc.unique(rows["answer_id"].filter(pa.array(spread)).combine_chunks())
    newest = _row_ids(rows.filter(pa.array(winners(*rank_columns(rows, "answer_id", started_of)))))
    rewritten = set()
    for bucket in np.unique(buckets[spread]).tolist():
        path = folder / names[bucket]
        held = _answer_rows(path, schema, None)
        losers = pc.and_(pc.is_in(held["answer_id"], value_set=moved), pc.invert(pc.is_in(_row_ids(held), value_set=newest)))
        if pc.any(losers).as_py():
            names[bucket] = f"bucket-{bucket:04d}-{folder.parent.name}.parquet"  # new content, a new name
            _without(path, folder / names[bucket], losers.to_numpy(zero_copy_only=False))
            rewritten.add(bucket)
    return rewritten


def _spread(answer_ids: pa.ChunkedArray, buckets: np.ndarray) -> np.ndarray:
    """A boolean mask of the rows whose answer id has rows in more than one bucket. By id, not
    (site, id): `winners` lets a row with no site stand for its id on every site."""
    codes = _codes(answer_ids)
    pairs = np.unique(np.stack([codes, buckets]), axis=1)  # each (answer, bucket) once
    return np.bincount(pairs[0], minlength=int(codes.max(initial=0)) + 1)[codes] > 1


def _answer_rows(path: Path, schema: pa.Schema, wanted: pa.Array | None) -> pa.Table:
    """The key columns (`schema`) of an answers bucket's rows, of the answer ids `wanted` (all when None)."""
    rows = _key_rows(_parquet(path), schema)
    return rows if wanted is None else rows.filter(pc.is_in(rows["answer_id"], value_set=wanted))


def _row_ids(rows: pa.Table) -> pa.Array:
    """Each answer row's (site, answer, question, crawl, fetch) as one text: a row told from the
    other rows of its answer, whatever bucket holds it."""
    parts = [pc.fill_null(rows[c].cast(pa.string()), "") for c in ("site", "answer_id", "question_id", "crawl_id")]
    parts.append(pc.fill_null(rows["fetched_at"].cast(pa.int64()).cast(pa.string()), ""))
    return pc.binary_join_element_wise(*parts, "\x1f").combine_chunks()


def _without(source: Path, target: Path, losers: np.ndarray) -> None:
    """`source` (a bucket) written to `target` without the rows `losers` marks, streamed by row
    groups; `target` may be `source` (a bucket this generation made): written beside, renamed."""
    beside = target.with_name(f".{target.name}.tmp")
    sink = _Sink(beside, SCHEMAS["answers"])
    try:
        _copy_kept(_parquet(source), sink, ~losers)
    finally:
        sink.close()
    os.replace(beside, target)
    if source != target:
        source.unlink()  # the link to the generation before's file: that file is untouched


def _question_rows(files: list[Path], wanted: pa.ChunkedArray) -> pa.Table:
    """The key columns of the rows of `files` (a view's question buckets) of the questions
    `wanted`: only the buckets they fall in are read, one at a time."""
    wanted = pc.unique(wanted.combine_chunks() if isinstance(wanted, pa.ChunkedArray) else wanted)
    parts = [SCHEMAS["questions"].empty_table().select(QUESTION_COLUMNS)]
    for bucket in np.unique(bucket_of(wanted, len(files))) if files and len(wanted) else []:
        table = _parquet(files[bucket]).read(columns=QUESTION_COLUMNS)
        parts.append(table.filter(pc.is_in(table["question_id"], value_set=wanted)))
    return pa.concat_tables(parts)


def _write_json(path: Path, data: dict) -> None:
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())


def update_latest(root: str | Path, buckets: int = BUCKETS, bucket_rows: int = BUCKET_ROWS) -> Update:
    """Bring `<root>/latest` up to date with every committed crawl. Safe to call at any time, from
    any command, after any kill; concurrent callers on one root take turns (a lock on the folder
    of generations). `buckets`: the least count of a dataset's buckets; `bucket_rows`: the most
    rows a bucket holds before the dataset's buckets are split. A root that is not a folder is
    refused (FileNotFoundError): a typo must not make a view of nothing there."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"no data folder at {root}")
    (root / GENERATIONS).mkdir(parents=True, exist_ok=True)
    # Resolved as `generation()` resolves the link: the generation in use is told from the others
    # by its path, which a relative root, or one or a `.latest` through a symbolic link, would
    # spell otherwise.
    generations = Path(os.path.realpath(root / GENERATIONS))
    started = time.monotonic()
    fd = os.open(generations, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        update = _update(root, generations, (buckets, bucket_rows))
    finally:
        os.close(fd)
    update.seconds = time.monotonic() - started
    return update


def _update(root: Path, generations: Path, sizing: tuple[int, int]) -> Update:
    crawls = committed_crawls(root)
    started_of = {crawl_id: start for crawl_id, (start, _) in crawls.items()}
    base = generation(root)
    manifest = read_manifest(base)
    update = Update()
    if manifest is None or not set(manifest.get("crawls", {})) <= set(crawls):
        # No view yet, a view of another format, or one that covers a crawl that is gone.
        manifest, base, update.rebuilt = None, None, True
    number = int(base.name[1:]) + 1 if base is not None else 1
    new = generations / f"g{number:06d}"
    for leftover in generations.iterdir():  # what a killed update left; older generations
        if leftover not in (base, new) and leftover.name.startswith(("g", ".tmp")):
            shutil.rmtree(leftover, ignore_errors=True)
    shutil.rmtree(new, ignore_errors=True)
    spill = generations / ".tmp"
    spill.mkdir()
    applied = {d: set(manifest["files"].get(d, [])) if manifest else set() for d in DATASETS}
    names = {}
    questions = Questions()
    try:
        for dataset in DATASETS:  # questions first: the answers kept are those of their newest fetch
            names[dataset], update.per_dataset[dataset] = _update_dataset(
                root, dataset, crawls, started_of, base, manifest, sizing, applied[dataset], spill, new, update,
                questions)
        covered = {crawl_id: finished for crawl_id, (_, finished) in crawls.items()}
        if manifest is not None and not update.buckets_rewritten and manifest["crawls"] == covered:
            shutil.rmtree(new, ignore_errors=True)  # nothing changed: no new generation
            return update
        new.mkdir(exist_ok=True)
        _write_json(new / MANIFEST, {
            "format": FORMAT, "buckets": {d: len(names[d]) for d in DATASETS},
            "hash": "crc32(utf-8 bucket key) % buckets", "bucket_keys": {d: BUCKET_KEYS[d] for d in DATASETS},
            "crawls": covered, "names": names,
            "files": {d: sorted(applied[d]) for d in DATASETS},
            "schemas": {d: _schema_print(SCHEMAS[d]) for d in DATASETS},
        })
        for folder in [new / d for d in DATASETS] + [new]:
            if folder.is_dir():
                fsync_folder(folder)
        _switch(root, f"{GENERATIONS}/{new.name}")
    except BaseException:
        if generation(root) != new:  # not switched: the half-made generation goes
            shutil.rmtree(new, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    # The generation before stays one update longer, for readers that resolved it.
    for old in generations.iterdir():
        if old not in (base, new) and old.name.startswith("g"):
            shutil.rmtree(old, ignore_errors=True)
    return update


@dataclass
class Questions:
    """What the answers' update takes from the questions' (made first): the new generation's
    question buckets, the hashes of the questions its new files hold (fetched again, maybe with
    none of their answers left: their answers' buckets are rewritten too), and whether the
    questions were rebuilt (a question's newest fetch may then be an older one: the answers a
    newer fetch left out are read again)."""
    files: list[Path] = field(default_factory=list)
    fetched: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    rebuilt: bool = False


def _update_dataset(root, dataset, crawls, started_of, base, manifest, sizing, applied: set, spill, new,
                    update, questions: Questions) -> tuple[list[str], dict]:
    files = committed_files(root, dataset, crawls)
    _none_gone(root, applied - set(files), crawls)
    old_names = manifest["names"][dataset] if manifest else []
    view = [base / dataset / name for name in old_names]
    view_rows = _view_rows(view)
    rebuild = manifest is None or bool(applied - set(files)) or view_rows is None
    rebuild = rebuild or (dataset == "answers" and questions.rebuilt)
    if rebuild:
        applied.clear()
        view, view_rows = [], 0
    todo_files = [files[name] for name in sorted(set(files) - applied)]
    # At most the rows of the view and of the new files (some only replace rows of the view).
    buckets = bucket_count(view_rows + _rows(todo_files), max(sizing[0], len(view)), sizing[1])
    split = bool(view) and buckets != len(view)  # the view's rows go to the new buckets too
    spills, rows, hashes = _spill(todo_files + (view if split else []), root, dataset, crawls, buckets, spill)
    rows -= view_rows if split else 0
    schema_changed = manifest is not None and manifest.get("schemas", {}).get(dataset) != _schema_print(SCHEMAS[dataset])
    todo = set(range(buckets)) if rebuild or split or schema_changed else set(spills)
    if dataset == "answers":
        todo |= set((questions.fetched % buckets).tolist())
    folder = new / dataset
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    # One bucket at a time, in this thread. Merges on a pool of threads each held a working set
    # and a malloc arena at once: with 2,048-row batches that made a 20,000-question crawl's
    # peak (its end) 320-330 MB instead of 280; the update takes ~0.15 s more (BENCHMARKS.md).
    for bucket in range(buckets):
        if bucket in todo:
            # A new name for new content: a name in latest/ never changes what it holds.
            name = f"bucket-{bucket:04d}-{new.name}.parquet"
            old = None if rebuild or split else view[bucket]
            _merge_bucket(dataset, old, spills.get(bucket), folder / name, started_of, questions.files)
        else:
            name = old_names[bucket]
            _link(base / dataset / name, folder / name)
        names.append(name)
    if dataset == "answers" and buckets > 1:
        todo |= _one_row_per_answer(folder, names, spills, [] if rebuild or split else view, started_of)
    applied.update(str(p.relative_to(root)) for p in todo_files)
    if dataset == "questions":
        questions.files, questions.fetched = [folder / name for name in names], hashes
        questions.rebuilt = rebuild
    update.rows_applied += rows
    update.files_applied += len(todo_files)
    update.buckets_rewritten += len(todo)
    update.rebuilt = update.rebuilt or rebuild
    return names, {"files": len(todo_files), "rows": rows, "buckets_rewritten": len(todo)}


def _none_gone(root: Path, unseen: set[str], crawls: dict) -> None:
    """LatestError when a file the view was made from is gone while its crawl is still
    committed (a folder moved away, a file deleted): the view holds its rows whole, and a view
    rebuilt from the files left would drop them in silence, for every reader of latest/. A file
    of a crawl no longer committed (its crawls row removed) leaves the view with it."""
    gone = sorted(name for name in unseen if crawl_of_file(Path(name)) in crawls)
    if gone:
        more = f" and {len(gone) - 1} more" if len(gone) > 1 else ""
        raise LatestError(f"{root / gone[0]}{more}: a committed crawl's file the view was made from is gone; the "
                          "view keeps its rows: put the file back, or remove its crawl's row from crawls/ to drop "
                          "that crawl's rows for good")


def _rows(files: list[Path]) -> int:
    """Rows of Parquet files, from their footers."""
    return sum(_parquet(path).metadata.num_rows for path in files)


def _view_rows(files: list[Path]) -> int | None:
    """Rows of a view's bucket files; None when one cannot be read (the view is then rebuilt)."""
    try:
        return _rows(files)
    except LatestError:
        return None


def _parquet(path: Path) -> pq.ParquetFile:
    """A file of the view or of a committed crawl, opened; LatestError if it cannot be read."""
    if reason := is_parquet(path):
        raise LatestError(f"cannot read {path}: {reason}")
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        not_the_file(error)
        raise LatestError(f"cannot read {path}: {str(error).splitlines()[0]}") from error


def _link(source: Path, target: Path) -> None:
    """An unchanged bucket in the new generation: the same file (a hard link), not a copy."""
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def main(argv=None) -> int:
    """`python -m pipelines.output.latest [DATA_DIR]`: update (or build) the latest view of a data folder."""
    import sys

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1:
        print("usage: python -m pipelines.output.latest [DATA_DIR]", file=sys.stderr)
        return 2
    root = Path(argv[0] if argv else "data")
    try:
        data_folder(root)  # a typo is said, not made into a folder with a view of nothing
        if not (root / "crawls").is_dir():
            raise FileNotFoundError(errno.ENOENT, "no crawls folder there: not a data folder", str(root))
    except (OSError, ValueError) as error:
        print(f"latest view of {root}: {error}", file=sys.stderr)
        return 2
    try:
        update = update_latest(root)
    except (LatestError, MachineFailure, OSError) as error:
        print(f"latest view of {root}: {error}", file=sys.stderr)
        return 1
    print(f"latest view of {root}: {update.files_applied} files, {update.rows_applied} rows applied, "
          f"{update.buckets_rewritten} buckets rewritten in {update.seconds:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
