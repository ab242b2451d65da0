#!/usr/bin/perl
# md2man.pl - policy/README.md to cisgate-policy(5), so the man page and the reference are
# one text and cannot drift (`make man` writes docs/cisgate-policy.5; `make test-docs` fails
# when it is stale). Knows the Markdown that file uses: headings, paragraphs, fenced code,
# tables (rendered as tagged paragraphs), "- " lists, `code`, **bold**, [links](...).
use strict;
use warnings;

my ($src) = @ARGV;
open(my $in, '<:encoding(UTF-8)', $src) or die "md2man: $src: $!\n";
my @lines = <$in>;
close $in;
chomp @lines;

sub esc {
	my ($t) = @_;
	$t =~ s/\\\|/|/g;          # \| inside table cells
	$t =~ s/\\/\\e/g;
	$t =~ s/-/\\-/g;
	$t =~ s/\[([^\]]+)\]\([^)]+\)/$1/g;
	$t =~ s/\*\*([^*]+)\*\*/\\fB$1\\fR/g;
	$t =~ s/`([^`]+)`/\\fB$1\\fR/g;
	return uni($t);
}

# Anything beyond ASCII as a groff Unicode escape: the page reads the same in any locale.
sub uni {
	my ($t) = @_;
	$t =~ s/([^\x00-\x7f])/sprintf("\\[u%04X]", ord($1))/ge;
	return $t;
}

# A line already escaped: only a leading . or ' needs guarding.
sub line {
	my ($t) = @_;
	return $t =~ /^[.']/ ? "\\&$t" : $t;
}

# A line of running text: a leading . or ' would be a request.
sub text {
	my ($t) = @_;
	return line(esc($t));
}

sub cells {
	my ($row) = @_;
	$row =~ s/^\s*\|//;
	$row =~ s/\|\s*$//;
	my @c = split /(?<!\\)\|/, $row;
	s/^\s+|\s+$//g for @c;
	return @c;
}

print ".\\\" Generated from policy/README.md by tools/md2man.pl: edit that file, then make man.\n";
print ".TH CISGATE-POLICY 5 \"\" \"cisgate\" \"File Formats Manual\"\n";
print ".SH NAME\ncisgate-policy \\- the cisgate YAML policy (apiVersion: cisgate/v1)\n";
print ".SH SYNOPSIS\n/etc/cisgate/policy.yaml\n";
my $para = 0;       # inside a paragraph
my $i = 0;
my $title_done = 0;
while ($i < @lines) {
	my $l = $lines[$i];
	if ($l =~ /^(\s*)```/) {
		my $indent = length($1); # a fence inside a list item is indented with it
		print $indent ? ".RS 2\n.nf\n" : ".PP\n.RS 4\n.nf\n";
		$i++;
		while ($i < @lines && $lines[$i] !~ /^\s*```/) {
			my $c = $lines[$i];
			$c =~ s/^ {0,$indent}//;
			$c =~ s/\\/\\e/g;
			print line(uni($c)) . "\n";
			$i++;
		}
		print ".fi\n.RE\n";
		$para = 0;
		$i++;
		next;
	}
	if ($l =~ /^# (.*)/) {
		# The page's own title: the NAME says it; what follows is the description.
		print ".SH DESCRIPTION\n" unless $title_done++;
		$para = 0;
		$i++;
		next;
	}
	if ($l =~ /^## (.*)/) {
		my $h = uc($1);
		$h =~ s/`//g;
		print ".SH \"" . esc($h) . "\"\n";
		$para = 0;
		$i++;
		next;
	}
	if ($l =~ /^#{3,} (.*)/) {
		my $h = $1;
		$h =~ s/`//g;
		print ".SS \"" . esc($h) . "\"\n";
		$para = 0;
		$i++;
		next;
	}
	if ($l =~ /^\|/) {
		my @head = cells($l);
		$i += 2; # the header and its |---| line
		while ($i < @lines && $lines[$i] =~ /^\|/) {
			my @c = cells($lines[$i]);
			print ".TP\n" . text($c[0]) . "\n";
			my @parts;
			for my $k (1 .. $#c - 1) {
				push @parts, esc($head[$k]) . ": " . esc($c[$k]) if $c[$k] ne '' && $c[$k] ne '—';
			}
			print line(join("; ", @parts) . ".") . "\n.br\n" if @parts;
			print text($c[$#c]) . "\n" if @c > 1;
			$i++;
		}
		$para = 0;
		next;
	}
	if ($l =~ /^- (.*)/) {
		my @p = ($1);
		$i++;
		# Continuation lines of the item.
		while ($i < @lines && $lines[$i] =~ /^  +(\S.*)/ && $lines[$i] !~ /^\s*```/) {
			push @p, $1;
			$i++;
		}
		print ".IP \\(bu 2\n" . text(join(" ", @p)) . "\n";
		$para = 1;
		next;
	}
	if ($l =~ /^\s*$/) {
		$para = 0;
		$i++;
		next;
	}
	# A paragraph: its lines joined, so inline markup may span them.
	# The first line is always taken, so a line no branch above knows (e.g. "#tag") cannot
	# stop the loop from moving on.
	my @p = ($l =~ s/^\s+//r);
	$i++;
	while ($i < @lines && $lines[$i] !~ /^\s*$/ && $lines[$i] !~ /^(#|\s*```|\||- )/) {
		(my $x = $lines[$i]) =~ s/^\s+//;
		push @p, $x;
		$i++;
	}
	print ".PP\n" unless $para;
	$para = 1;
	print text(join(" ", @p)) . "\n";
}
print ".SH FILES\n.TP\n/etc/cisgate/policy.yaml\nthe policy cisgate.service serves (a conffile; the package installs default.yaml there)\n";
print ".TP\n/usr/share/cisgate/policy/\nthe shipped policies (default.yaml, strict.yaml) and this reference as README.md\n";
print ".TP\n/var/log/cisgate/audit.log\nthe audit log of the shipped policies\n";
print ".SH SEE ALSO\n.BR cisgate (8),\n.BR dockerd (8)\n";
