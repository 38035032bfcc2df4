"""A moto server child that starts with thousands of endpoints: for the scale figures and
the 2,000-endpoint ``status`` figure only.

Seeding 5,000 endpoints through HTTP (a model per variant, a config, an endpoint: five
calls each) takes about 100 s against moto on this machine, longer than every figure it
is for. This child instead creates them in moto's own SageMaker backend, in the server
process, before it serves: the same backend methods, with the same arguments, that moto's
request handlers call for ``create_endpoint`` in :mod:`canary_tui.demo.seed` (so
DescribeEndpoint and ListEndpoints answer exactly as for endpoints made over HTTP). It
applies the demo's moto patches, like the demo server the other benchmarks use.

Run by :func:`bulk_server`, never by hand::

    python -m benchmarks.bulk_server --parent-pid PID --count 5000
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from benchmarks.fixtures import VARIANTS, WEIGHTS
from canary_tui.demo.moto_process import READY_PREFIX, die_with_parent, quiet_logging
from canary_tui.demo.seed import DEMO_REGION, DEMO_ROLE_ARN


def scale_names(count: int) -> list[str]:
    """``bench-0000`` ... : zero-padded to the same width, so name order is list order."""
    width = max(3, len(str(count - 1)))
    return [f"bench-{index:0{width}}" for index in range(count)]


def seed_backend(count: int) -> None:
    """``count`` endpoints x 3 variants (80/10/10), straight into moto's backend."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sagemaker.models import sagemaker_backends

    backend: Any = sagemaker_backends[DEFAULT_ACCOUNT_ID][DEMO_REGION]
    for name in scale_names(count):
        production_variants = []
        for variant, weight in zip(VARIANTS, WEIGHTS, strict=True):
            model_name = f"{name}-{variant}"
            backend.create_model(
                model_name=model_name,
                execution_role_arn=DEMO_ROLE_ARN,
                primary_container={
                    "Image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{model_name}"
                },
                vpc_config=None,
                containers=None,
                tags=None,
            )
            production_variants.append(
                {
                    "VariantName": variant,
                    "ModelName": model_name,
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "InitialVariantWeight": weight,
                }
            )
        backend.create_endpoint_config(
            endpoint_config_name=f"{name}-config",
            production_variants=production_variants,
            data_capture_config=None,
            async_inference_config=None,
            tags=None,
            kms_key_id=None,
        )
        backend.create_endpoint(
            endpoint_name=name, endpoint_config_name=f"{name}-config", tags=None
        )


def main() -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.bulk_server")
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    die_with_parent(args.parent_pid)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    quiet_logging()
    from moto.server import ThreadedMotoServer

    from canary_tui.demo.moto_patches import apply_demo_patches

    apply_demo_patches()
    seed_backend(args.count)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    sys.stdout.write(f"{READY_PREFIX}{port}\n")
    sys.stdout.flush()
    while not stop.wait(1.0):
        if os.getppid() != args.parent_pid:
            break
    return 0


@contextmanager
def bulk_server(count: int, timeout: float = 300.0) -> Iterator[str]:
    """Start the child, yield its URL once it serves, and always stop it."""
    from canary_tui.demo.server import child_environment

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.bulk_server",
            "--parent-pid",
            str(os.getpid()),
            "--count",
            str(count),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=child_environment(),
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        received = b""
        while b"\n" not in received:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or process.poll() is not None:
                raise RuntimeError("benchmarks.bulk_server did not start")
            ready, _, _ = select.select([process.stdout], [], [], min(remaining, 0.5))
            if ready:
                received += os.read(process.stdout.fileno(), 1024)
        line = received.split(b"\n", 1)[0].decode()
        yield f"http://127.0.0.1:{int(line[len(READY_PREFIX) :])}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


if __name__ == "__main__":
    raise SystemExit(main())
