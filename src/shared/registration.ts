// Where one of our nodes stands, as far as ZooKeeper has told us. `registered` is only ever
// what a server confirmed under the current, connected session; the moment contact is lost
// it is `unconfirmed` (the node may well still exist, held by a session that lives on), and
// only a read under a connected session makes it `registered` or `absent` again. Pure.

export type Registration = 'absent' | 'registered' | 'unconfirmed';

export type RegistrationEvent =
  /** A server, under the current connected session, said our node is there with our bytes. */
  | 'confirmed'
  /** A server said there is no node of ours (read back, deleted, or held by someone else). */
  | 'gone'
  /** Contact with ZooKeeper lost, or the session given up: what we knew is now a guess. */
  | 'contact_lost'
  /** A write whose outcome no server told us (the connection dropped under it). */
  | 'outcome_unknown';

export function nextRegistration(from: Registration, event: RegistrationEvent): Registration {
  switch (event) {
    case 'confirmed':
      return 'registered';
    case 'gone':
      return 'absent';
    case 'contact_lost':
      return from === 'registered' ? 'unconfirmed' : from;
    case 'outcome_unknown':
      return 'unconfirmed';
  }
}
