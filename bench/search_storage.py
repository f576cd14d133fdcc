"""What a search pays to look at one long document on PostgreSQL, stored as the table
stored it before migration ``search`` 0004 (a row over 2 kB: its tokens compressed with
pglz, and out of the row when still over) and as it stores it now (in the row as they
are up to 8,160 bytes, lz4 beyond: ``toast_tuple_target``, ``COMPRESSION lz4``).

For each length of text, 20,000 documents of made-up Japanese text (their text and
tokens) are written into two scratch tables, one stored each way (the second by the
migration's own ``store``), and every one is looked at for a word
(``tokens @@ query``, as a search's walk does), five times; the table prints the
fastest, per document, and the sizes. The synthetic plan of ``public_load.py`` has
texts of under 60 characters, which neither way compresses; a city's evaluation sheets
have texts of a few hundred.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/search_storage.py
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shinchoku.search.tokens import fold, term_tokens, tsvector

#: The storage the migration gives the documents' table (``store``).
storage = importlib.import_module("shinchoku.search.migrations.0004_document_storage")
#: Made-up words of an evaluation sheet's vocabulary, drawn at random into texts.
CHARACTERS = (
    "事業実施推進計画市民地域支援取組行充実図必要施策環境整備教育福祉健康子育防災安全交通観光産業"
    "活性化情報発信協働参加促進強化確保維持向上改善検討連携団体学校施設運営管理利用者数回件人等"
)
STORAGES = ("before (pglz, out of the row over 2 kB)", "now (in the row up to 8,160 bytes, lz4 beyond)")


def texts(length: int, count: int, rng: random.Random) -> tuple[list[str], str]:
    words = ["".join(rng.choice(CHARACTERS) for _ in range(rng.randint(2, 6))) for _ in range(400)]
    made = []
    for _ in range(count):
        text = ""
        while len(text) < length:
            text += rng.choice(words) + rng.choice(["", "、", "。"])
        made.append(text[:length])
    return made, words[5]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lengths", default="60,260,600", help="characters a text (60,260,600)")
    parser.add_argument("--documents", type=int, default=20_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database, where scratch tables are made")
    rng = random.Random(1)  # noqa: S311  (a reproducible draw)
    print("| characters | stored | tokens, bytes | table | µs a document |")
    print("|---:|---|---:|---:|---:|")
    with psycopg.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        for length in [int(part) for part in args.lengths.split(",")]:
            made, word = texts(length, args.documents, rng)
            query = " <-> ".join(term_tokens(fold(word)))
            for number, label in enumerate(STORAGES):
                table = f"bench_search_storage_{number}"
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute(
                    f"CREATE TABLE {table} (id serial PRIMARY KEY, "
                    "text text COMPRESSION pglz, tokens tsvector COMPRESSION pglz)"
                )
                if number:
                    storage.store(cursor, table)
                with cursor.copy(f"COPY {table} (text, tokens) FROM STDIN") as copy:
                    for text in made:
                        copy.write_row((text, tsvector(fold(text))))
                cursor.execute(f"VACUUM ANALYZE {table}")
                sizes = f"avg(pg_column_size(tokens))::int, pg_size_pretty(pg_table_size('{table}'))"
                cursor.execute(f"SELECT {sizes} FROM {table}")  # noqa: S608
                size, table_size = cursor.fetchone()
                fastest = float("inf")
                for _ in range(5):
                    started = time.perf_counter()
                    cursor.execute(f"SELECT count(*) FROM {table} WHERE tokens @@ %s::tsquery", [query])  # noqa: S608
                    cursor.fetchone()
                    fastest = min(fastest, time.perf_counter() - started)
                cursor.execute(f"DROP TABLE {table}")
                print(f"| {length} | {label} | {size:,} | {table_size} | {fastest / len(made) * 1e6:.2f} |")


if __name__ == "__main__":
    main()
