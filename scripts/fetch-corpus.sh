#!/usr/bin/env bash
# Fetches the malformed/odd certificate corpus (the X.509, PKCS#7, PKCS#12 and key test
# vectors of the cryptography_vectors package on PyPI) into DIR (default target/corpus).
# tests/corpus.rs imports every file of it; .ci/run calls this first.
set -euo pipefail
dest=${1:-target/corpus}
if [ -f "$dest/ready" ]; then exit 0; fi
mkdir -p "$dest"
pip download --no-deps --quiet --disable-pip-version-check cryptography_vectors -d "$dest/wheel"
python3 - "$dest" <<'PY'
import glob, sys, zipfile
dest = sys.argv[1]
wheel = zipfile.ZipFile(glob.glob(f"{dest}/wheel/*.whl")[0])
keep = ("cryptography_vectors/x509/", "cryptography_vectors/pkcs7/",
        "cryptography_vectors/pkcs12/", "cryptography_vectors/asymmetric/PKCS8/",
        "cryptography_vectors/asymmetric/PEM_Serialization/",
        "cryptography_vectors/asymmetric/DER_Serialization/")
for name in wheel.namelist():
    if name.startswith(keep) and not name.endswith("/"):
        wheel.extract(name, dest)
PY
rm -rf "$dest/wheel"
touch "$dest/ready"
