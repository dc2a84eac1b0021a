#!/bin/sh
# CGI benchmark script for bench/cgi_run.sh: the smallest useful CGI answer.
printf 'Content-Type: text/plain\n\nhello\n'
