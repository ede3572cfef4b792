#!/bin/sh
# test: alone
# The soak (soak.sh) in the production shape: nginx on loopback with
# deploy/nginx/dataoptim.conf's upstream and dataoptim-proxy.conf in front
# of the daemon, which trusts it as its proxy (server.trusted_proxies), so
# the per-address limits count the clients' own addresses (each team
# uploads from its own loopback address).  As long as soak.sh's load.
SOAK_NGINX=1 exec sh "$(dirname "$0")/soak.sh"
