#!/bin/sh
# Writes railgate.conf(5) on stdout: the prose below around the parameter
# list that railgated prints from its own parameter table, so that the
# manual can never disagree with the daemon.  `make lint` checks that
# docs/man/railgate.conf.5 is what this script writes.
set -eu
build=${1:-build}
cat <<'HEAD'
.Dd November 22, 2026
.Dt RAILGATE.CONF 5
.Os
.Sh NAME
.Nm railgate.conf
.Nd configuration of the railgate clearance daemon
.Sh DESCRIPTION
.Xr railgated 8
reads its configuration from the file given with
.Fl c ,
by default
.Pa etc/railgate.conf .
The syntax is INI:
.Bl -bullet -compact
.It
.Li [section]
headers;
.It
.Ar name No = Ar value
lines, white space around the
.Li =
ignored;
.It
comments on lines of their own, starting with
.Li #
or
.Li ;\& .
.El
.Pp
An unknown section or parameter, a value of the wrong type or out of range,
or a required parameter left empty is an error naming the file and line:
at start the daemon refuses to run, and on
.Dv SIGHUP
the new file is rejected and the configuration in force stays.
On
.Dv SIGHUP
the file and the rule set it names are reloaded together: both go into force,
or neither.
Parameters marked
.Dq changed only by a restart
keep their old value until the daemon is restarted, and the log says so.
.Sh PARAMETERS
HEAD
"$build/railgated" --print-parameters
cat <<'TAIL'
.Sh FILES
.Bl -tag -width Ds
.It Pa etc/railgate.conf
the default configuration, for
.Ic make run .
.It Pa etc/rules/default/
the default rule set.
.El
.Sh EXAMPLES
A station daemon with its own database and a shorter lease for a pair of
daemons sharing it:
.Bd -literal -offset indent
[daemon]
listen = 0.0.0.0:8443
tls_cert_file = /etc/railgate/tls/fullchain.pem
tls_key_file = /etc/railgate/tls/key.pem
state_dir = /var/lib/railgate

[database]
dsn = host=/run/postgresql dbname=railgate user=railgate_app
admin_dsn = host=/run/postgresql dbname=railgate user=railgate

[rules]
dir = /etc/railgate/rules/alashankou

[evaluation]
lease_s = 60

[clearance]
target_minutes = 20
amber_left_s = 600
red_left_s = 300
arrival_past_max_s = 3600
arrival_future_max_s = 120
.Ed
.Sh SEE ALSO
.Xr railgate 1 ,
.Xr railgated 8
TAIL
