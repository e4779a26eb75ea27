#!/bin/sh
# Entry point of the local nginx stand-in (nginx.Containerfile), doing what
# the official image's does with templates: each /etc/nginx/templates/X.template
# is written to /etc/nginx/conf.d/X with the ${NAME}s of variables set in the
# environment put in (nginx's own $variables are left alone). Then runs CMD.
set -eu
if [ "${1:-}" = nginx ] && [ -d /etc/nginx/templates ]; then
  names=$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')
  for template in /etc/nginx/templates/*.template; do
    [ -f "$template" ] || continue
    out=/etc/nginx/conf.d/$(basename "$template" .template)
    envsubst "$names" <"$template" >"$out"
    echo "$0: wrote $out from $template" >&2
  done
fi
exec "$@"
