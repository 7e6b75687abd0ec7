"""`junction batch … --enqueue`: the batch's cases go on the team queue, not run here."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from runtime.cli.output import out, print_json
from runtime.store.open import store_url
from runtime.team.dispatch import enqueue_batch, require_team_store


def enqueue(args: argparse.Namespace, workspace: Any, engine: Any, loaded: Any,
            cases: list[dict[str, Any]], batch_id: str) -> int:
    url = require_team_store(store_url(args.store), "`junction batch --enqueue`")
    runs, queued = enqueue_batch(engine, url, loaded, cases, batch_id=batch_id,
                                 autonomy=args.autonomy, model=args.model)
    if args.json:
        print_json({"batch_id": batch_id, "cases": len(runs), "enqueued": queued,
                    "counts": dict(Counter(r.status.value for r in runs))})
        return 0
    out.print(f"batch {batch_id}: {queued} of {len(runs)} case(s) put on the queue; "
              "`junction worker` on any machine runs them (`junction runs` shows progress)",
              highlight=False)
    return 0
