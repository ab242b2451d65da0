#!/usr/bin/perl
# A fake dockerd for the daemon-cves tests, on a Unix socket, one connection at a time:
#   fakedockerd.pl SOCKET VERSIONFILE
# GET /version answers {"Version": <the first line of VERSIONFILE, read per request>};
# everything else is 404. Runs until killed. Test tooling only: trusts its peer.
use strict;
use warnings;
use IO::Socket::UNIX;

my ($path, $vfile) = @ARGV;
die "usage: fakedockerd.pl SOCKET VERSIONFILE\n" unless $path && $vfile;
unlink $path;
my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $path, Listen => 16)
    or die "fakedockerd: $path: $!\n";
while (my $c = $srv->accept) {
	my $line = <$c> // '';
	while (my $h = <$c>) {
		last if $h =~ /^\r?\n$/;
	}
	my ($status, $body) = ('404 Not Found', '{"message":"page not found"}');
	if ($line =~ m{^GET /(v[0-9.]+/)?version[ ?]}) {
		open(my $f, '<', $vfile) or die "fakedockerd: $vfile: $!\n";
		my $v = <$f> // '';
		close $f;
		chomp $v;
		($status, $body) = ('200 OK', "{\"Version\":\"$v\",\"ApiVersion\":\"1.52\",\"Os\":\"linux\"}");
	}
	print $c "HTTP/1.1 $status\r\nContent-Type: application/json\r\nContent-Length: "
	    . length($body) . "\r\nConnection: close\r\n\r\n$body";
	close $c;
}
