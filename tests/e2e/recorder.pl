#!/usr/bin/perl
# A recorder for capture.sh, on a Unix socket, one connection at a time (Connection: close).
#   recorder.pl authz SOCKET OUTDIR   an AuthZ plugin that allows everything and saves every
#                                     AuthZReq envelope as OUTDIR/NNNN.req.json
#   recorder.pl api SOCKET OUTDIR     a fake dockerd for the docker CLI, for what needs a
#                                     registry (plugin install/upgrade): canned answers, and
#                                     every request saved as OUTDIR/NNNN.api.json
#                                     ({"RequestMethod","RequestUri","RequestBody" base64})
# Runs until killed. Test tooling only: trusts its peer, bounds nothing but the body size.
use strict;
use warnings;
use IO::Socket::UNIX;
use MIME::Base64;
use JSON::PP;

my ($mode, $path, $out) = @ARGV;
die "usage: recorder.pl authz|api SOCKET OUTDIR\n" unless $mode && $path && $out;
unlink $path;
my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $path, Listen => 16)
    or die "recorder: $path: $!\n";
chmod 0600, $path;
my $n = 0;
my $json = JSON::PP->new->canonical;

# Privileges a hostile plugin asks for, in dockerd's own shape (types.PluginPrivileges).
my $privs = '[{"Name":"network","Description":"permission to access host networks","Value":["host"]},'
    . '{"Name":"host pid namespace","Description":"host pid namespace","Value":["true"]},'
    . '{"Name":"mount","Description":"host path to mount","Value":["/"]},'
    . '{"Name":"allow-all-devices","Description":"allow \'rwm\' access to all devices","Value":["true"]},'
    . '{"Name":"capabilities","Description":"list of additional capabilities required","Value":["CAP_SYS_ADMIN"]}]';
my $inspect = '{"Id":"5f1b0c0d0e0f","Name":"cgsd-plugin:latest","Enabled":false,'
    . '"PluginReference":"127.0.0.1:5000/cgsd/plugin:1.0","Settings":{"Mounts":[],"Env":[],"Args":[],"Devices":[]},'
    . '"Config":{"Description":"x","Documentation":"x","Interface":{"Socket":"p.sock","Types":["docker.volumedriver/1.0"]},'
    . '"Entrypoint":["/start.sh"],"WorkDir":"","Network":{"Type":"host"},"Linux":{"Capabilities":["CAP_SYS_ADMIN"],'
    . '"AllowAllDevices":true,"Devices":null},"PidHost":true,"Mounts":[],"Env":[],"Args":{"Name":"","Description":"",'
    . '"Settable":null,"Value":null},"rootfs":{"type":"layers","diff_ids":[]}}}';

sub read_request {
	my ($c) = @_;
	my $head = '';
	while ($head !~ /\r\n\r\n/) {
		my $r = sysread($c, my $buf, 1);
		return undef unless $r;
		$head .= $buf;
	}
	my ($line, @h) = split /\r\n/, $head;
	my ($method, $uri) = split / /, $line;
	my %h;
	for (@h) { $h{lc $1} = $2 if /^([^:]+):\s*(.*)$/; }
	my $body = '';
	if (defined $h{'content-length'}) {
		my $len = $h{'content-length'};
		die "recorder: body too large\n" if $len > 16 * 1024 * 1024;
		while (length($body) < $len) {
			my $r = sysread($c, my $buf, $len - length($body));
			last unless $r;
			$body .= $buf;
		}
	} elsif (($h{'transfer-encoding'} // '') =~ /chunked/i) {
		while (1) {
			my $sz = '';
			while ($sz !~ /\r\n$/) { sysread($c, my $b, 1) or last; $sz .= $b; }
			my $len = hex($sz);
			my $chunk = '';
			while (length($chunk) < $len + 2) { sysread($c, my $b, $len + 2 - length($chunk)) or last; $chunk .= $b; }
			last if $len == 0;
			$body .= substr($chunk, 0, $len);
		}
	}
	return ($method, $uri, \%h, $body);
}

sub answer {
	my ($c, $status, $type, $body, @extra) = @_;
	my $hdr = "HTTP/1.1 $status\r\nContent-Type: $type\r\nContent-Length: " . length($body)
	    . "\r\nConnection: close\r\n" . join('', map { "$_\r\n" } @extra) . "\r\n";
	syswrite($c, $hdr . $body);
}

sub save {
	my ($name, $text) = @_;
	open(my $f, '>', "$out/$name") or die "recorder: $out/$name: $!\n";
	print $f $text;
	close $f;
}

while (my $c = $srv->accept) {
	my ($method, $uri, $h, $body) = read_request($c);
	if (!defined $method) { close $c; next; }
	$n++;
	if ($mode eq 'authz') {
		if ($uri eq '/Plugin.Activate') {
			answer($c, '200 OK', 'application/vnd.docker.plugins.v1.2+json', '{"Implements":["authz"]}');
		} else {
			save(sprintf('%04d.req.json', $n), $body) if $uri eq '/AuthZPlugin.AuthZReq';
			answer($c, '200 OK', 'application/vnd.docker.plugins.v1.2+json', '{"Allow":true}');
		}
	} else {
		save(sprintf('%04d.api.json', $n), $json->encode({RequestMethod => $method,
		    RequestUri => $uri, RequestHeaders => $h, RequestBody => encode_base64($body, '')}));
		my @v = ('Api-Version: 1.41', 'Ostype: linux', 'Docker-Experimental: false');
		if ($uri =~ m{/_ping$}) {
			answer($c, '200 OK', 'text/plain', 'OK', @v);
		} elsif ($uri =~ m{/plugins/privileges\?}) {
			answer($c, '200 OK', 'application/json', $privs, @v);
		} elsif ($uri =~ m{/plugins/(pull|[^/]+/upgrade)\?}) {
			answer($c, '200 OK', 'application/json', "{\"status\":\"Download complete\"}\n", @v);
		} elsif ($uri =~ m{/plugins/[^/]+/json$}) {
			answer($c, '200 OK', 'application/json', $inspect, @v);
		} elsif ($uri =~ m{/plugins/[^/]+/enable}) {
			answer($c, '200 OK', 'application/json', '', @v);
		} else {
			answer($c, '404 Not Found', 'application/json', '{"message":"recorder: not faked"}', @v);
		}
	}
	close $c;
}
