#!/usr/bin/perl
# forge.pl FILE LINE [KEY]: turns the deny on LINE into an allow and rebuilds the chain
# (each prev recomputed) as someone without the key would; with KEY (the private key) the
# checkpoints are re-signed too, as someone holding the key would. FORGE_STRIP=1 first
# removes the checkpoints and renumbers the records (LINE counts after that).
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
my ($file, $edit, $key) = @ARGV;
open(my $in, '<', $file) or die "$file: $!";
my @l = <$in>;
close $in;
chomp @l;
if ($ENV{FORGE_STRIP}) {
	@l = grep { !/"event":"checkpoint"/ } @l;
	my $n = 0;
	s/^\{"seq":\d+/'{"seq":' . ++$n/e for @l;
}
$l[$edit - 1] =~ s/"decision":"deny"/"decision":"allow"/ or die "line $edit is not a deny";
for my $i (1 .. $#l) {
	my $h = sha256_hex($l[$i - 1]);
	$l[$i] =~ s/^\{"seq":(\d+),"prev":"[0-9a-f]{64}"/{"seq":$1,"prev":"$h"/ or die "line " . ($i + 1);
	next unless $l[$i] =~ /"event":"checkpoint"/;
	$l[$i] =~ s/"head":"[0-9a-f]{64}"/"head":"$h"/;
	next unless defined $key;
	my ($seq) = $l[$i] =~ /"covers":(\d+)/;
	my ($t) = $l[$i] =~ /"time":"([^"]+)"/;
	my ($host) = $l[$i] =~ /"host":"([^"]+)"/;
	open(my $m, '>', "$file.msg") or die;
	print $m "cisgate-checkpoint/1 seq=$seq head=$h time=$t host=$host";
	close $m;
	my $sig = unpack('H*', `openssl pkeyutl -sign -inkey '$key' -rawin -in '$file.msg'`);
	length($sig) == 128 or die "openssl pkeyutl did not sign";
	$l[$i] =~ s/"sig":"[0-9a-f]+"/"sig":"$sig"/;
}
unlink "$file.msg";
open(my $out, '>', $file) or die;
print $out "$_\n" for @l;
close $out;
