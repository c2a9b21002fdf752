#!/usr/bin/perl
# berth-flood.pl MODE SOCKET ARGS...: a bad client of the control socket.
#   idle N SECS     hold N idle connections SECS seconds; prints "held refused"
#                   (refused: connections the daemon answered too_many_connections)
#   trickle         send one byte a second without a newline; prints the
#                   seconds until the daemon closed the connection
#   owner C R N     C connections, each asking R owner questions of N unknown
#                   names, one after another; prints how many got an answer
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Select;
use Time::HiRes qw(time sleep);

$| = 1;
$SIG{PIPE} = 'IGNORE';
my ($mode, $path, @a) = @ARGV;

if ($mode eq 'idle') {
	my ($n, $secs) = @a;
	my @k;
	for (1 .. $n) {
		my $s = IO::Socket::UNIX->new(Peer => $path) or last;
		push @k, $s;
	}
	sleep 1;
	my $refused = 0;
	for my $s (@k) {
		next unless IO::Select->new($s)->can_read(0);
		my $l = <$s>;
		$refused++ if defined $l && $l =~ /too_many_connections/;
	}
	print scalar(@k), " $refused\n";
	sleep $secs;
} elsif ($mode eq 'trickle') {
	my $s = IO::Socket::UNIX->new(Peer => $path) or die "connect: $!";
	my $t0 = time;
	for (1 .. 40) {
		last unless defined send($s, "{", 0);
		if (IO::Select->new($s)->can_read(1)) {
			my $b;
			my $r = sysread($s, $b, 4096);
			last unless $r;
		}
	}
	printf "%.0f\n", time - $t0;
} elsif ($mode eq 'owner') {
	my ($c, $r, $n) = @a;
	my @k;
	for my $i (1 .. $c) {
		my $s = IO::Socket::UNIX->new(Peer => $path) or die "connect: $!";
		push @k, $s;
	}
	my $answered = 0;
	for my $round (1 .. $r) {
		for my $i (0 .. $#k) {
			my $names = join(",", map { "\"nx-$round-$i-$_\"" } 1 .. $n);
			print { $k[$i] } "{\"op\":\"owner\",\"targets\":[$names]}\n";
		}
		for my $s (@k) {
			my $l = <$s>;
			$answered++ if defined $l && $l =~ /"ok": *true/;
		}
	}
	print "$answered\n";
} else {
	die "usage: berth-flood.pl idle|trickle|owner SOCKET ...\n";
}
