"""``gaitlab people VIDEO``: who is in the video, and who walks."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from gaitlab.cli._progress import TerminalProgress
from gaitlab.io.files import cache_root


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "people",
        help="list the people seen in a video (for --person N)",
        description="List every person the pose model followed in the video, with a "
        "thumbnail of each and how far each travelled; the walker is marked.",
    )
    p.add_argument("video")
    p.add_argument("--thumbs", default=None, help="folder for the thumbnails (default: gaitlab's cache)")
    p.add_argument("--model", choices=("lite", "full", "heavy"), default="full")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gaitlab.analysis import find_people
    from gaitlab.errors import NoPersonError
    from gaitlab.io.images import crop_with_margin, write_png
    from gaitlab.io.video import read_frames_at
    from gaitlab.pose.tracking import summarize_person

    video, people, walker = find_people(
        args.video, model_variant=args.model, progress=TerminalProgress(quiet=args.quiet)
    )
    name = Path(video.path).name
    if not people:
        raise NoPersonError(f"No person was found in {name}.")
    summaries = [summarize_person(p) for p in people]
    if args.thumbs:
        thumbs = Path(args.thumbs)
    else:
        key = hashlib.sha256(video.sha256.encode()).hexdigest()[:16]
        thumbs = cache_root() / "people" / key
    thumbs.mkdir(parents=True, exist_ok=True)
    frames = read_frames_at(video.path, [s.best_frame_index for s in summaries])
    print(f"{name}: {len(people)} {'person' if len(people) == 1 else 'people'} seen")
    for s in summaries:
        thumb = thumbs / f"person_{s.index}.png"
        image = frames.get(s.best_frame_index)
        if image is not None:
            write_png(thumb, crop_with_margin(image, s.bbox_px))
        mark = "  <- walks (chosen by --person auto)" if s.index == walker else ""
        print(
            f"  person {s.index}: seen in {s.detection_rate:.0%} of frames "
            f"({s.first_time_s:.1f}-{s.last_time_s:.1f} s), travelled about {s.travel_m:.1f} m"
            f"{mark}\n    thumbnail: {thumb}"
        )
    return 0
