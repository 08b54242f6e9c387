"""The one typed settings object.

Built once at the start of a flow or command and passed down; nothing reads configuration at
import time. Every field can be set from the environment with the ``NEWSDESK_`` prefix
(``NEWSDESK_DB_PATH=/srv/news.duckdb``) or from a ``.env`` file in the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CONFIG_DIR = Path(__file__).resolve().parent
PROJECT_DIR = CONFIG_DIR.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", env_file=".env", extra="ignore")

    db_path: Path = Field(
        PROJECT_DIR / "data" / "newsdesk.duckdb",
        description="The snapshot analysts open; the writer's working file lives beside it.",
    )
    sources_file: Path = Field(CONFIG_DIR / "sources.yaml", description="Source definitions.")
    url_rules_file: Path = Field(
        CONFIG_DIR / "url_rules.yaml",
        description="What is noise in a URL (tracking, AMP, mirrors).",
    )
    user_agent: str = Field(
        "newsdesk/0.1 (news incident research pipeline; +https://github.com/newsdesk/newsdesk)",
        description="Sent with every request so site operators know who is fetching.",
    )
    connect_timeout: float = Field(5.0, gt=0, description="Seconds to wait for a TCP connect.")
    read_timeout: float = Field(20.0, gt=0, description="Seconds to wait between bytes.")
    total_timeout: float = Field(
        60.0,
        gt=0,
        description="Seconds one response may take in all, so a server sending a byte now and "
        "then (which read_timeout never catches) cannot hold a run.",
    )
    max_retries: int = Field(3, ge=0, description="Retries on 5xx, 429 and timeouts.")
    backoff_base: float = Field(0.5, ge=0, description="First retry delay; doubles each time.")
    backoff_max: float = Field(60.0, ge=0, description="Longest delay between retries.")
    max_response_bytes: int = Field(5_000_000, gt=0, description="Larger bodies are rejected.")
    max_redirects: int = Field(5, ge=0, description="Redirect hops followed per request.")
    max_crawl_delay: float = Field(
        30.0,
        ge=0,
        description="Longest robots.txt Crawl-delay honoured; a host asking for more is skipped "
        "for the run (a reject says so), so one site cannot hold every run for hours.",
    )
    source_time_budget: float = Field(
        600.0,
        gt=0,
        description="Seconds one source may spend fetching per run; no request or pacing wait "
        "starts after it, and what is left is fetched next run.",
    )
    min_body_words: int = Field(40, ge=0, description="Pages with less text are rejected.")
    near_duplicate_threshold: float = Field(
        0.35,
        gt=0,
        lt=1,
        description="Estimated Jaccard (word 5-shingles) at or above which two bodies are one "
        "story, when their figures agree too. Lightly edited copies score about 0.6, so 0.8 "
        "would miss them; bench/dedupe_threshold.py measures the choice.",
    )
    minhash_permutations: int = Field(128, ge=16, description="MinHash signature length.")
    process_batch_size: int = Field(
        200,
        ge=1,
        description="Pages cleaned (or articles read) per Prefect task; with ``workers``, what "
        "bounds a run's memory, whatever the size of the corpus.",
    )
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="Processes cleaning pages and reading articles at once (every core by "
        "default); 1 keeps them in the flow's own process.",
    )
    task_runner: Literal["processes", "dask"] = Field(
        "processes",
        description="Where those batches run: a pool of ``workers`` processes on this machine, "
        "or a Dask cluster (prefect-dask).",
    )
    dask_address: str | None = Field(
        None,
        description="Scheduler of the Dask cluster to use (``tcp://host:8786``); unset, a "
        "``dask`` run starts a local cluster of ``workers`` processes on 127.0.0.1.",
    )
    earliest_date: str = Field("1990-01-01", description="Earlier publication dates are rejected.")
    snapshot_keep_hours: float = Field(
        24.0,
        ge=0,
        description="Hours a replaced snapshot file is kept, so a connection opened on an older "
        "snapshot keeps reading it (the last three publishes' files are always kept).",
    )

    @classmethod
    def overridden(cls, **values: object) -> Settings:
        """The environment's settings with the given values on top (None or "" means unset),
        for command options and flow parameters."""
        return cls(**{name: value for name, value in values.items() if value not in (None, "")})

    @property
    def work_db_path(self) -> Path:
        """The private database the single writer uses; published to ``db_path`` by rename."""
        return self.db_path.with_name(f".{self.db_path.stem}.work.duckdb")
