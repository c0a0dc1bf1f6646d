"""Export the JSON Schema of every API model: `python -m module_4_4_pydantic.schema --out DIR`.

Input models are described as a client must send them (validation mode), output models as the
API returns them (serialization mode, so computed fields such as `commentCount` appear).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from module_4_4_pydantic.base import OutputModel
from module_4_4_pydantic.posts import CommentCreate, CommentRead, PostCreate, PostRead, PostUpdate
from module_4_4_pydantic.users import PasswordChange, UserCreate, UserPublic, UserRead, UserUpdate

MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        UserCreate,
        UserUpdate,
        PasswordChange,
        UserPublic,
        UserRead,
        PostCreate,
        PostUpdate,
        PostRead,
        CommentCreate,
        CommentRead,
    )
}


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema in the direction the API uses it."""
    mode: Literal["validation", "serialization"] = (
        "serialization" if issubclass(model, OutputModel) else "validation"
    )
    return model.model_json_schema(by_alias=True, mode=mode)


def export_schemas(directory: Path, names: Sequence[str]) -> list[Path]:
    """Write `<Model>.schema.json` for each named model into `directory`; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        path = directory / f"{name}.schema.json"
        text = json.dumps(json_schema(MODELS[name]), indent=2, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m module_4_4_pydantic.schema",
        description="Print or export the JSON Schema of the User, Post and Comment models.",
    )
    parser.add_argument(
        "models",
        nargs="*",
        metavar="MODEL",
        help=f"models to export (default: all): {', '.join(MODELS)}",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write one MODEL.schema.json per model into DIR instead of printing them",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.models if name not in MODELS]
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(MODELS)}")
    names = args.models or list(MODELS)
    if args.out is not None:
        for path in export_schemas(args.out, names):
            sys.stdout.write(f"{path}\n")
        return 0
    schemas = {name: json_schema(MODELS[name]) for name in names}
    sys.stdout.write(json.dumps(schemas, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
