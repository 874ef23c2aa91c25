import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptDeadlineMs, expiredForSureAt, FINE_TICK_MS, giveUpAt, livenessTickMs, nextRttMs, pingDue, pingIntervalMs, sessionLeftMs, silenceLimitMs, stallMs } from '../../src/shared/session-timing.js';

test('pings every t/10 (200 ms at least), and a connection silent for t/2 is dead', () => {
  assert.equal(pingIntervalMs(6000), 600);
  assert.equal(pingIntervalMs(30_000), 3000);
  assert.equal(pingIntervalMs(1000), 200);
  assert.equal(silenceLimitMs(6000), 3000);
  // A round trip of 0.4 t still fits: the answer to a ping sent t/10 after the last one comes within t/2.
  const t = 10_000;
  assert.ok(pingIntervalMs(t) + 0.39 * t < silenceLimitMs(t));
});

test('no server holds a session 2 t after our last packet; it surely lives t after our last answer', () => {
  assert.equal(expiredForSureAt(1000, 6000), 13_000);
  assert.equal(sessionLeftMs(5000, 2000, 6000), 3000);
  assert.equal(sessionLeftMs(9000, 2000, 6000), -1000);
});

test('given up 2 t after our last packet, or 3 t after a server last spoke while our packets still go out', () => {
  // Nothing reachable: nothing sent since the last answer.
  assert.deepEqual(giveUpAt(1000, 1000, 6000).at, 13_000);
  assert.match(giveUpAt(1000, 1000, 6000).why, /twice the session timeout \(6000 ms\) since our last packet/);
  // Handshakes keep going out (a one-way cut, a link too slow to finish one): 3 t after we last heard.
  assert.deepEqual(giveUpAt(20_000, 1000, 6000).at, 19_000);
  assert.match(giveUpAt(20_000, 1000, 6000).why, /three times the session timeout \(6000 ms\) although our packets went out/);
});

test('an attempt while a session is at stake shares the time it has left among the members not yet tried', () => {
  // Cut from our member and one other (t = 6 s, a fast network): 3 s left, 2 members to try.
  const a = attemptDeadlineMs({ timeoutMs: 6000, leftMs: 3000, untried: 2, rttMs: 1, timedOutInARow: 0 });
  assert.equal(a, 1500);
  // The black-holed member takes its share, and the healthy one is reached before t.
  assert.ok(3000 + a < 6000);
  // The last member gets whatever is left.
  assert.equal(attemptDeadlineMs({ timeoutMs: 6000, leftMs: 1400, untried: 1, rttMs: 1, timedOutInARow: 0 }), 1400);
});

test('an attempt never gets less than two round trips (TCP connect and handshake): a slow network (RTT up to t/3) still connects', () => {
  // t = 10 s, RTT 3 s measured: 2 x 3 s + 0.5 s, although little time is left and above the 0.4 t cap on growth.
  assert.equal(attemptDeadlineMs({ timeoutMs: 10_000, leftMs: 2000, untried: 3, rttMs: 3000, timedOutInARow: 0 }), 6500);
  assert.equal(attemptDeadlineMs({ timeoutMs: 10_000, leftMs: 2000, untried: 3, rttMs: 3333, timedOutInARow: 4 }), 7166);
  // Time has run out by our clock, yet a server may still hold the session: keep trying at the floor.
  assert.equal(attemptDeadlineMs({ timeoutMs: 10_000, leftMs: -500, untried: 1, rttMs: 20, timedOutInARow: 0 }), 540);
  // The delay began after our last measurement: each attempt that ran out of time doubles the floor.
  const grown = [0, 1, 2, 3, 4].map((n) => attemptDeadlineMs({ timeoutMs: 10_000, leftMs: -1, untried: 1, rttMs: 1, timedOutInARow: n }));
  assert.deepEqual(grown, [502, 1004, 2008, 4000, 4000]);
});

test('a fresh session (nothing at stake) waits 2 s before any round trip is known, doubling up to t', () => {
  assert.equal(attemptDeadlineMs({ timeoutMs: 10_000, leftMs: null, untried: 3, rttMs: null, timedOutInARow: 0 }), 2000);
  assert.equal(attemptDeadlineMs({ timeoutMs: 10_000, leftMs: null, untried: 3, rttMs: null, timedOutInARow: 1 }), 4000);
  assert.equal(attemptDeadlineMs({ timeoutMs: 10_000, leftMs: null, untried: 3, rttMs: null, timedOutInARow: 5 }), 10_000);
  assert.equal(attemptDeadlineMs({ timeoutMs: 1000, leftMs: null, untried: 1, rttMs: null, timedOutInARow: 0 }), 1000);
});

test('a late tick is a stall of the process, not silence of the network', () => {
  assert.equal(stallMs(260, 250), 0);
  assert.equal(stallMs(1200, 250), 0);
  assert.equal(stallMs(5250, 250), 5000);
});

test('the round trip: the slowest recent sample, fading', () => {
  assert.equal(nextRttMs(null, 40), 40);
  assert.equal(nextRttMs(40, 100), 100);
  assert.equal(nextRttMs(100, 10), 90);
});

test('the liveness tick: a whole fraction of the ping interval, at most 1 s while the server answers and 250 ms once it has been quiet for two', () => {
  assert.equal(livenessTickMs(0, 10_000), 1000);
  assert.equal(livenessTickMs(1999, 10_000), 1000);
  assert.equal(livenessTickMs(2000, 10_000), FINE_TICK_MS);
  assert.equal(livenessTickMs(0, 30_000), 1000, 'never coarser than 1 s, whatever t');
  assert.equal(livenessTickMs(0, 15_000), 750, 'pings every 1.5 s: two ticks each, not one every 2 s');
  assert.equal(livenessTickMs(0, 4000), 400);
  assert.equal(livenessTickMs(800, 4000), 200, 'quiet: 400 ms in two ticks, not 250 ms ones that miss it');
  assert.equal(livenessTickMs(0, 2000), 200, 'a ping interval under the fine tick is the tick');
  for (const t of [1000, 2000, 2500, 4000, 6000, 7000, 10_000, 12_000, 15_000, 25_000, 30_000, 60_000]) {
    for (const silent of [0, 2 * pingIntervalMs(t)]) {
      const tick = livenessTickMs(silent, t);
      const ticks = pingIntervalMs(t) / tick;
      assert.ok(Math.abs(ticks - Math.round(ticks)) < 1e-9 && tick <= (silent === 0 ? 1000 : FINE_TICK_MS), `t=${t}, silent ${silent}: ${ticks} ticks per ping interval of ${tick} ms`);
    }
  }
  // The silence a coarse tick can leave unseen, plus the two quiet ping intervals, stays short of the silence limit.
  for (const t of [2000, 4000, 6000, 10_000, 15_000, 30_000, 60_000]) {
    const worst = 2 * pingIntervalMs(t) + livenessTickMs(0, t) + FINE_TICK_MS;
    assert.ok(worst < silenceLimitMs(t), `t=${t}: ${worst} ms unseen at worst, limit ${silenceLimitMs(t)}`);
  }
});

test('pings sent from the tick keep to t/10 for any t, answered or quiet, with ticks a little early or late', () => {
  // The tick as tracked-client runs it: due on the grid of its period, run up to 100 ms early
  // (it shared another chore's wakeup) or up to 20 ms late; it pings when pingDue says so.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const t of [1000, 2000, 4000, 6000, 7000, 10_000, 12_000, 15_000, 25_000, 30_000, 60_000]) {
    const interval = pingIntervalMs(t);
    for (const quietFrom of [Infinity, 5 * interval]) {
      let lastPing = -Infinity;
      let worstGap = 0;
      let pings = 0;
      let due = 5 * livenessTickMs(0, t); // the first tick, on its grid
      for (let i = 0; i < 400; i++) {
        const tick = livenessTickMs(due >= quietFrom ? 10 * interval : 0, t);
        const early = random() < 0.3 ? Math.min(100, tick / 2 - 1) * random() : 0;
        const now = due - early + (random() < 0.3 ? 20 * random() : 0);
        if (pingDue(now, lastPing, tick, t)) {
          if (lastPing > -Infinity) worstGap = Math.max(worstGap, now - lastPing);
          lastPing = now;
          pings++;
        }
        const next = livenessTickMs(now >= quietFrom ? 10 * interval : 0, t);
        due = Math.round((now + next) / next) * next;
        if (due - now < next / 2) due += next;
      }
      // Early and late runs move a ping by at most their sum; never a whole tick.
      assert.ok(worstGap <= interval + 120, `t=${t}${quietFrom < Infinity ? ', quiet' : ''}: a ${Math.round(worstGap)} ms gap between pings (interval ${interval})`);
      assert.ok(pings >= 2, `t=${t}: pings were sent`);
    }
  }
});