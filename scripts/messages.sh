#!/usr/bin/env bash
# Re-extract every translatable string of the project into the one catalogue per
# language (selfwork/locale/<lang>/LC_MESSAGES/django.po), dropping strings the
# code no longer has, then compile them. Needs GNU gettext (xgettext, msgmerge):
# scripts/system-packages.sh installs it. Run from anywhere.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# The built-in processes' labels, from their TOML files into a module makemessages reads.
"$root/.venv/bin/selfwork" process labels
cd "$root/selfwork"
"$root/.venv/bin/selfwork" manage makemessages \
  -l es -l fr -l de -l pt_BR \
  --domain django --no-obsolete --add-location=file \
  --ignore 'tests/*' --ignore '*/tests/*' --ignore 'locale/*'
"$root/.venv/bin/selfwork" i18n compile
