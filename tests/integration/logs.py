"""Reading log output as bytes and checking what the server escapes in it: no log line may carry a
raw control byte, DEL, C1 control or ill-formed UTF-8 (each must be written as \\xNN).
Standard library only."""

# Bytes a client or a script sends to try to split, forge or colour log lines: ESC (a terminal
# sequence) and DEL, which a request may carry only in its request line; the C1 controls NEL (0x85)
# and CSI (0x9b) raw and as UTF-8 (C2 9B), ill-formed UTF-8 (FF, a lone C3), then well-formed UTF-8
# (é), which a log keeps. The second part is allowed in header values too.
HOSTILE_CONTROLS = b"\x1b[2J\x7f"
HOSTILE_HIGH = b"\x85\x9b\xc2\x9b\xff\xc3(\xc3\xa9"
HOSTILE = HOSTILE_CONTROLS + HOSTILE_HIGH
# How every log writes them.
HOSTILE_CONTROLS_ESCAPED = b"\\x1b[2J\\x7f"
HOSTILE_HIGH_ESCAPED = b"\\x85\\x9b\\xc2\\x9b\\xff\\xc3(\xc3\xa9"
HOSTILE_ESCAPED = HOSTILE_CONTROLS_ESCAPED + HOSTILE_HIGH_ESCAPED


def raw_escapes_missing(data):
    """What in `data` (log bytes) should have been escaped: a list of (offset, description), empty
    when every line is clean. Line ends (LF) are the only control bytes allowed."""
    problems = []
    text = data.decode("utf-8", "surrogateescape")
    offset = 0
    for ch in text:
        cp = ord(ch)
        if 0xDC80 <= cp <= 0xDCFF:
            problems.append((offset, "ill-formed UTF-8 byte 0x%02x" % (cp - 0xDC00)))
            offset += 1
            continue
        if (cp < 0x20 and ch != "\n") or 0x7F <= cp <= 0x9F:
            problems.append((offset, "raw control character U+%04X" % cp))
        offset += len(ch.encode("utf-8", "surrogatepass"))
    return problems


def lines_with(data, marker):
    """The lines of `data` (bytes) that contain `marker` (bytes)."""
    return [line for line in data.split(b"\n") if marker in line]


def read_file(path):
    """The file's bytes, or b"" while it does not exist."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""
