/**
 * data.py of the exported PyTorch project: reads the files the studio reads
 * (CSV/TSV with its header detection and label column, IDX images plain or
 * .gz with their labels file) and prepares them the way the model was trained:
 * columns matched by name, classes in the model's order, IDX pixels as 0..1,
 * the stored standardization. Rules mirror core/data (csv.ts, idx.ts, prepare.ts).
 */
export const DATA_PY = String.raw`"""The data files Backprop Studio reads, prepared the way the model was trained.

    from data import load_data
    x, y = load_data("iris.csv", meta)   # meta: the model file's metadata (model.load_model)

x: float32 N x features, standardized with the model's statistics when it has them;
y: int64 class indices in the model's class order (meta["classNames"]).
Formats: CSV/TSV (comma, tab or semicolon; header row detected; scikit-learn's
"150,4,setosa,..." first row understood), IDX images with their labels file (plain
or .gz, pixels read as 0..1). Errors name the file (and line) and stop the run.
"""
import csv
import gzip
import io
import math
import os
import re

import numpy as np

NUMBER = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")
DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
IDX_NAME = re.compile(r"idx\d|ubyte", re.I)
TEXT_NAME = re.compile(r"\.(csv|tsv|txt|data)(\.gz)?$", re.I)
FLOAT32_MAX = 3.4028234663852886e38
HEAD_ROWS = 12


class DataError(ValueError):
    """A data file the studio would refuse too; the message names the file."""


def read_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def load_data(path, meta, labels_path=None, label_column=None):
    """(x, y) as numpy arrays: x float32 N x features (standardized like the model), y int64 class indices."""
    data = read_bytes(path)
    if not data:
        raise DataError(f"{path}: the file is empty")
    if data[:2] == b"\0\0" or (IDX_NAME.search(os.path.basename(path)) and not TEXT_NAME.search(path)):
        values, labels = read_idx(path, data, labels_path)
        names = None
    else:
        values, labels, names = read_csv(path, data, label_column, meta.get("labelColumn"))
        values = match_feature_names(values, names, meta.get("featureNames"))
    spec = meta["spec"]
    if values.shape[1] != spec["inputSize"]:
        raise DataError(f"{path}: {values.shape[1]} features per sample, but the model takes {spec['inputSize']}")
    norm = meta.get("normalization")
    if norm is not None:
        # float64 arithmetic rounded once to float32, as the studio's applyNormalization does
        values = (values - np.asarray(norm["mean"], np.float64)) / np.asarray(norm["std"], np.float64)
    return values.astype(np.float32), class_indices(path, labels, meta["classNames"])


def class_indices(path, labels, class_names):
    index = {c: i for i, c in enumerate(class_names)}
    unknown = sorted({c for c in labels if c not in index})
    if unknown:
        known = ", ".join(class_names[:12]) + (", ..." if len(class_names) > 12 else "")
        raise DataError(f"{path}: class {unknown[0]!r} is not one of the model's classes ({known})")
    return np.array([index[c] for c in labels], dtype=np.int64)


def match_feature_names(values, names, trained):
    """Columns in the training file's order when both files name them (the studio matches by name too)."""
    if not names or not trained or names == trained or sorted(names) != sorted(trained) or len(set(names)) != len(names):
        return values
    return values[:, [names.index(n) for n in trained]]


# ---------------------------------------------------------------- IDX


def parse_idx(path, data):
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"{path}: not an IDX file (it starts with {data[:4].hex(' ')})")
    if data[2] != 0x08:
        raise DataError(f"{path}: IDX values of type 0x{data[2]:02x} are not supported; only unsigned bytes (0x08) are")
    ndims = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndims)]
    body = data[4 + 4 * ndims:]
    if len(body) != math.prod(dims):
        raise DataError(f"{path}: the header announces {' x '.join(map(str, dims))} values, {len(body)} bytes follow")
    return dims, np.frombuffer(body, dtype=np.uint8)


def paired_label_files(images_path):
    folder, base = os.path.split(images_path)
    if not re.search("images", base, re.I):
        return []
    gz = base.lower().endswith(".gz")
    stem = base[:-3] if gz else base
    stem = re.sub("images", lambda m: "LABELS" if m.group(0) == "IMAGES" else ("Labels" if m.group(0)[0] == "I" else "labels"), stem, flags=re.I)
    stem = re.sub("idx3", lambda m: "IDX1" if m.group(0)[0] == "I" else "idx1", stem, flags=re.I)
    names = [stem + base[-3:], stem] if gz else [stem, stem + ".gz"]
    return [os.path.join(folder, n) for n in names]


def read_idx(path, data, labels_path):
    dims, pixels = parse_idx(path, data)
    if len(dims) == 1:
        raise DataError(f"{path}: this is an IDX labels file; give the images file as the data")
    if labels_path is None:
        found = [p for p in paired_label_files(path) if os.path.exists(p)]
        if not found:
            guess = paired_label_files(path)
            raise DataError(f"{path}: IDX images need their labels file" + (f" (usually {guess[0]})" if guess else "") + "; give it with --labels")
        labels_path = found[0]
    ldims, labels = parse_idx(labels_path, read_bytes(labels_path))
    if len(ldims) != 1 or ldims[0] != dims[0]:
        raise DataError(f"{labels_path}: {ldims[0]} labels for {dims[0]} images in {path}")
    features = math.prod(dims[1:])
    # The studio reads pixels as byte * (1/255) in float64, rounded to float32 when used.
    values = pixels.reshape(dims[0], features).astype(np.float64) * (1 / 255)
    return values, [str(int(v)) for v in labels]


# ---------------------------------------------------------------- CSV / TSV


def to_number(cell, delimiter):
    text = cell.strip()
    if text == "" or not NUMBER.match(text):
        if delimiter == ";" and DECIMAL_COMMA.match(text):
            return float(text.replace(",", "."))
        return math.nan
    return float(text)


def is_numeric(cell):
    return math.isfinite(to_number(cell, ";"))


def sniff_delimiter(lines):
    best, best_count, best_consistent = ",", 0, False
    for d in [",", "\t", ";"]:
        counts = [count_outside_quotes(line, d) for line in lines]
        if not counts or min(counts) == 0:
            continue
        consistent = all(c == counts[0] for c in counts)
        if (consistent and not best_consistent) or (consistent == best_consistent and min(counts) > best_count):
            best, best_count, best_consistent = d, min(counts), consistent
    return best


def count_outside_quotes(line, d):
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == d and not quoted:
            n += 1
    return n


def decode_text(path, data):
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    return data.decode("utf-8-sig", errors="replace")


def sklearn_header(head):
    """scikit-learn's bundled CSVs start with n_samples,n_features,class names..."""
    if len(head) < 2 or len(head[0]) < 3:
        return None
    n, f, *names = [c.strip() for c in head[0]]
    if not (n.isdigit() and f.isdigit()) or int(f) + 1 != len(head[1]):
        return None
    if any(s == "" or is_numeric(s) for s in names):
        return None
    if any(len(r) != len(head[1]) or not all(is_numeric(c) for c in r) for r in head[1:]):
        return None
    return names


def looks_like_header(head):
    first = head[0]
    if len(head) < 2:
        return all(not is_numeric(c) for c in first)
    second = head[1]
    return any(not is_numeric(c) and j < len(second) and is_numeric(second[j]) for j, c in enumerate(first))


def js_number_text(text):
    """The class name the studio gives a numeric label: String(Number(text)) in JavaScript."""
    v = float(text)
    if v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    r = repr(v)
    if "e" in r:
        mantissa, exponent = r.split("e")
        return f"{mantissa}e{int(exponent):+d}"
    return r


def resolve_label_column(choice, model_column, header, width, path):
    if choice is None and model_column is not None and header and model_column in header:
        return header.index(model_column)
    if choice is None:
        return width - 1
    text = str(choice).strip()
    if header:
        named = [i for i, h in enumerate(header) if h == text] or [i for i, h in enumerate(header) if h.lower() == text.lower()]
        if len(named) > 1:
            raise DataError(f"{path}: {len(named)} columns are named {text!r} (columns {', '.join(map(str, named))}); give the column's index")
        if named:
            return named[0]
    if not re.fullmatch(r"-?\d+", text):
        raise DataError(f"{path}: no column named {text!r}" + (f"; the columns are {', '.join(header[:12])}" if header else " (the file has no header row)"))
    index = int(text)
    if not -width <= index < width:
        raise DataError(f"{path}: column {index} does not exist: the file has {width} columns")
    return index % width


def csv_records(path, text, delimiter):
    """(line the record starts on, cells) of every record. A quote that never closes is
    refused at the line it opens on; read leniently, the rest of the file would become
    one field of a row with too few fields, reported at the end of the file."""
    def starting_lines(reader):
        # line_num is where the record ends; a quoted field may span lines.
        for cells in reader:
            yield reader.line_num - sum(c.count("\n") for c in cells), cells

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, last_end = [], 0
    try:
        for record in starting_lines(reader):
            records.append(record)
            last_end = reader.line_num
        return records
    except csv.Error as e:
        if "end of data" not in str(e):
            # Strict also refuses a space after a closing quote, which the studio trims: read as before.
            return list(starting_lines(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    lines = text.split("\n")
    line = last_end
    while line < len(lines) and lines[line].strip() == "":
        line += 1
    raise DataError(f"{path}:{line + 1}: a quoted field opens here and its closing quote never comes (the file ends inside it)")


def read_csv(path, data, label_choice, model_label_column):
    text = decode_text(path, data)
    lines = [line for line in text.splitlines() if line.strip()][:20]
    delimiter = sniff_delimiter(lines)
    trim = delimiter not in ("\t", " ")
    rows = []
    for start, cells in csv_records(path, text, delimiter):
        if trim:
            cells = [c.strip() for c in cells]
        if all(c.strip() == "" for c in cells):
            continue
        rows.append((start, cells))
    if not rows:
        raise DataError(f"{path}: the file has no rows")
    head = [cells for _, cells in rows[:HEAD_ROWS]]
    sk_names = sklearn_header(head)
    has_header = sk_names is not None or looks_like_header(head)
    if has_header and len(rows) < 2:
        raise DataError(f"{path}: the file has a header row but no data rows")
    fields = len(rows[1 if has_header else 0][1])
    trailing_empty = fields >= 3 and all(len(r) == fields and r[-1].strip() == "" for r in head)
    width = fields - 1 if trailing_empty else fields
    header = None
    if has_header and sk_names is None:
        header = [c.strip() or f"column {j + 1}" for j, c in enumerate(rows[0][1])][:width]
    label = resolve_label_column(label_choice, model_label_column, header, width, path)
    values, labels = [], []
    for line, cells in rows[1 if has_header else 0:]:
        if len(cells) != fields:
            raise DataError(f"{path}:{line}: row has {len(cells)} fields, expected {fields} like the first data row")
        row = []
        for j in range(width):
            if j == label:
                continue
            v = to_number(cells[j], delimiter)
            if not abs(v) <= FLOAT32_MAX:
                raise DataError(f"{path}:{line}:{j + 1}: {cells[j]!r} is not a number")
            row.append(v)
        values.append(row)
        labels.append(cells[label].strip())
    if all(NUMBER.match(c) for c in labels):
        labels = [js_number_text(c) for c in labels]
        if sk_names is not None:
            labels = [sk_names[int(c)] if c.isdigit() and int(c) < len(sk_names) else c for c in labels]
    names = None if header is None else [h for j, h in enumerate(header) if j != label]
    # The studio keeps CSV values as float32 from the start.
    return np.asarray(values, dtype=np.float32).astype(np.float64), labels, names
`;
