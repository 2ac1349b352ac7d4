#!/usr/bin/env bash
# Starts CUPS with a virtual PDF printer (Debian's cups and printer-driver-cups-pdf) for the
# printing tests and prints the two variables to export:
#     eval "$(.ci/cups.sh)"
# The queue ZhiqianPDF is A4 and the default; cups-pdf writes each job, named after the job id,
# to /var/spool/cups-pdf/$USER. Safe to run twice: a running scheduler and queue are reused.
set -euo pipefail

queue=ZhiqianPDF
conf=/etc/cups/cups-pdf.conf
if [[ -f "$conf" ]]; then
  sed -i -e 's|^Out .*|Out /var/spool/cups-pdf/${USER}|' -e 's|^#\?Label .*|Label 2|' "$conf"
fi
# `lpstat -r` exits 0 either way: its words tell whether the scheduler runs. On a machine without
# an init system (a container, a fresh CI machine) installing cups does not start it.
running() { lpstat -r 2>/dev/null | grep -q "scheduler is running"; }
if ! running; then
  cupsd
  for _ in $(seq 1 50); do
    running && break
    sleep 0.2
  done
fi
if ! lpstat -p "$queue" >/dev/null 2>&1; then
  lpadmin -p "$queue" -E -v cups-pdf:/ -P /usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd \
    -o PageSize=A4 2>/dev/null
fi
lpadmin -d "$queue"
user="$(id -un)"
mkdir -p "/var/spool/cups-pdf/$user"
echo "export ZHIQIAN_TEST_PRINTER=$queue"
echo "export ZHIQIAN_TEST_PRINT_DIR=/var/spool/cups-pdf/$user"
