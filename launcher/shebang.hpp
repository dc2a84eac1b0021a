// The `#!` line of a script, read the way Linux's binfmt_script reads it (fs/binfmt_script.c), so that
// the launcher can start a script's interpreter itself and hand it the script's path, as execve() of
// that path would. It runs in the launcher's clone()d child, between the account switch and exec,
// where only async-signal-safe code may run: pure, constexpr, no allocation, and on plain pointers and
// offsets (no library call, and no ASan instrumentation, on the child's stack).
#pragma once

#include <cstddef>

namespace httpserve {

// How much of a file the kernel looks at for its #! line (BINPRM_BUF_SIZE).
inline constexpr size_t kShebangHeadSize = 256;

// Where the interpreter's name and its one optional argument are in the head (offsets and lengths).
// Neither contains a NUL, and each is followed by a byte of the head (or of its NUL padding), so a
// caller with a writable, NUL-padded copy may end each with a NUL in place, as the kernel does.
struct Shebang {
    bool runs = false;  // false: the kernel would not run the file as a #! script (see parse_shebang)
    size_t interpreter = 0, interpreter_size = 0;  // never empty when `runs`
    bool has_argument = false;                     // one argument, spaces and tabs inside kept; may be empty
    size_t argument = 0, argument_size = 0;
};

namespace shebang_detail {

inline constexpr size_t kNone = static_cast<size_t>(-1);

// The byte at `i` of the kernel's buffer: the file's bytes, then NUL padding.
[[gnu::no_sanitize_address]] constexpr char at(const char* head, size_t size, size_t i) noexcept {
    return i < size ? head[i] : '\0';
}

[[gnu::no_sanitize_address]] constexpr bool spacetab(char c) noexcept { return c == ' ' || c == '\t'; }

// The kernel's helpers, on indices: `last` is included.
[[gnu::no_sanitize_address]] constexpr size_t next_non_spacetab(const char* head, size_t size, size_t first,
                                                                size_t last) noexcept {
    for (; first <= last; ++first) {
        if (!spacetab(at(head, size, first))) return first;
    }
    return kNone;
}

[[gnu::no_sanitize_address]] constexpr size_t next_terminator(const char* head, size_t size, size_t first,
                                                              size_t last) noexcept {
    for (; first <= last; ++first) {
        const char c = at(head, size, first);
        if (spacetab(c) || c == '\0') return first;
    }
    return kNone;
}

// strnchr(buf, sizeof buf, '\n'): the first newline before the first NUL.
[[gnu::no_sanitize_address]] constexpr size_t first_newline(const char* head, size_t size) noexcept {
    for (size_t i = 0; i < kShebangHeadSize && at(head, size, i) != '\0'; ++i) {
        if (at(head, size, i) == '\n') return i;
    }
    return kNone;
}

}  // namespace shebang_detail

// `head` holds the file's first `size` bytes: all of it when shorter than kShebangHeadSize (what
// follows counts as the kernel's NUL padding), else its first kShebangHeadSize (more are ignored).
// The line ends at the first newline; without one within the buffer, the buffer's last byte is cut
// and the name must be followed by a space, tab or NUL (else it may be cut short). The name starts
// after the spaces and tabs that follow "#!" and runs to the next space, tab or NUL; the rest of the
// line, without its leading and trailing spaces and tabs, is one argument. Not run (`runs` false):
// no "#!", no name (ENOEXEC), a name that may be cut short (ENOEXEC), or a NUL where the name starts
// (the kernel tries to run "" and fails).
[[gnu::no_sanitize_address]] constexpr Shebang parse_shebang(const char* head, size_t size) noexcept {
    using namespace shebang_detail;
    if (size > kShebangHeadSize) size = kShebangHeadSize;
    Shebang line;
    if (at(head, size, 0) != '#' || at(head, size, 1) != '!') return line;
    constexpr size_t buf_end = kShebangHeadSize - 1;
    size_t end = first_newline(head, size);
    if (end == kNone) {
        const size_t first = next_non_spacetab(head, size, 2, buf_end);
        if (first == kNone || next_terminator(head, size, first, buf_end) == kNone) return line;
        end = buf_end;
    }
    while (spacetab(at(head, size, end - 1))) --end;  // stops at the '!' at the latest
    const size_t name = next_non_spacetab(head, size, 2, end);
    if (name == kNone || name == end) return line;
    const size_t separator = next_terminator(head, size, name, end);
    size_t argument = kNone;
    if (separator != kNone && at(head, size, separator) != '\0') {
        argument = next_non_spacetab(head, size, separator, end);
    }
    // The kernel writes a NUL at `end` and, with an argument, at `separator`; each string then runs
    // to the first NUL.
    const size_t name_end = separator == kNone ? end : separator;
    if (name_end == name) return line;
    line.runs = true;
    line.interpreter = name;
    line.interpreter_size = name_end - name;
    if (argument != kNone) {
        size_t argument_end = argument;
        while (argument_end < end && at(head, size, argument_end) != '\0') ++argument_end;
        line.has_argument = true;
        line.argument = argument;
        line.argument_size = argument_end - argument;
    }
    return line;
}

}  // namespace httpserve
