/* CGI benchmark program for bench/cgi_run.sh: same answer as hello.sh, no shell. */
#include <unistd.h>

int main(void) {
    static const char out[] = "Content-Type: text/plain\n\nhello\n";
    return write(1, out, sizeof out - 1) == (ssize_t)(sizeof out - 1) ? 0 : 1;
}
