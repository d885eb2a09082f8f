"""People's work from the studio: history and restore, translation kits, and each recording's package as a zip."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accessmedia import api
from accessmedia.api import AccessMediaError, languages
from accessmedia.web.guard import TooLarge, read_limited
from accessmedia.web.project import archive
from accessmedia.web.views.common import body_json, studio


async def history(request: Request) -> Response:
    s = studio(request)
    name = request.query_params.get("name", "")
    folder = s.session_folder(name)
    lang = s.language(request.query_params.get("lang", ""), folder, name)
    found = api.history(folder, name, lang).get((name, lang), [])
    return JSONResponse({"revisions": [{"number": r.number, "label": r.label, "contributor": r.contributor, "when": r.time,
                                        "note": r.note, "machine": r.contributor == api.MACHINE_CONTRIBUTOR,
                                        "current": k == len(found) - 1} for k, r in enumerate(found)]})


async def restore_preview(request: Request) -> Response:
    """What a restore would change, before the person confirms it."""
    s = studio(request)
    name = request.query_params.get("name", "")
    folder = s.session_folder(name)
    lang = s.language(request.query_params.get("lang", ""), folder, name)
    try:
        number = int(request.query_params.get("number", ""))
    except ValueError:
        raise AccessMediaError("which revision? a whole number") from None
    return JSONResponse(api.restore_preview(folder, name, lang, number))


async def restore(request: Request) -> Response:
    s = studio(request)
    data = await body_json(request)
    name = str(data.get("name", ""))
    folder = s.session_folder(name)
    lang = s.language(str(data.get("lang", "")), folder, name)
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool):  # not true, not 1.9, not "1"
        raise AccessMediaError("which revision? a whole number")
    made, names = api.restore(folder, name, lang, number, str(data.get("contributor") or "studio")[:80])
    return JSONResponse({"revision": made.label, "names": names})


async def kit(request: Request) -> Response:
    s = studio(request)
    name = request.query_params.get("name", "")
    folder = s.session_folder(name)
    code = languages.normalize(request.query_params.get("lang", ""))
    fmt = request.query_params.get("format", "csv")
    if fmt not in ("csv", "srt"):
        raise AccessMediaError("a kit is csv or srt")
    if request.method == "GET":  # a download writes nothing: a volunteer's kit in kits/ is never overwritten
        filename, text = api.kit_texts(folder, name, code)[fmt]
        return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8" if fmt == "csv" else "application/x-subrip; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{filename}"'})
    try:
        body = await read_limited(request.stream(), request.headers.get("content-length"), 32 << 20)
    except TooLarge:
        return JSONResponse({"error": "too large: at most 32 MB"}, status_code=413)
    incoming = folder / f".kit-upload-{secrets.token_hex(4)}.{code}.{fmt}"
    incoming.write_bytes(body)
    try:
        made = api.kit_import(incoming, folder, name, code, "studio")
    except AccessMediaError as exc:  # named as the volunteer knows it, not by its temporary name
        raise AccessMediaError(exc.message.replace(incoming.name, f"the uploaded {fmt.upper()} kit"), exc.hint, code=exc.code) from None
    finally:
        incoming.unlink(missing_ok=True)
    return JSONResponse({"revision": made.label})


async def package_zip(request: Request) -> Response:
    s = studio(request)
    name = request.query_params.get("name", "")
    data = archive(s.session_folder(name), name)
    return Response(data, media_type="application/zip", headers={"content-disposition": f'attachment; filename="{name}.zip"'})
