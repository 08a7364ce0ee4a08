/** Why an announcement was dropped; each maps to one `reason` label of skein_gossip_dropped_total. */
export const dropReasons = [
  'malformed', 'oversized', 'bad-signature', 'non-member', 'revoked', 'expired-certificate', 'stale', 'future', 'replayed', 'self'
] as const
export type DropReason = typeof dropReasons[number]

export class AnnouncementRejectedError extends Error {
  static override name = 'AnnouncementRejectedError'
  readonly reason: DropReason
  constructor (reason: DropReason, message: string) {
    super(message)
    this.name = 'AnnouncementRejectedError'
    this.reason = reason
  }
}
