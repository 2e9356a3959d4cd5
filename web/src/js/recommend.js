// Recommendations on the pages (/api/recommendations/*, shapes in peerlearn/recommend/schemas.py):
// paged lists of session picks and mentor picks, each with the reason a person reads; the mentor's
// "what learners want"; the session page's view beacon.
import { get, post, withQuery } from './api.js';
import { pageList } from './paging.js';

const BASE = '/api/recommendations';

/**
 * A paged list of session picks (`{session, reason: {kind, text}, score}`) from `path`, `limit` per
 * page; `auth` sends the bearer token (the learner's own list, or a public list seen signed in).
 */
export function sessionPicks(path, { limit = 6, auth = false } = {}) {
  return pageList((cursor) => get(withQuery(`${BASE}${path}`, { limit, cursor }), { auth }), {
    key: (pick) => pick.session.id,
  });
}

/** A paged list of mentor picks (`{mentor, expertise, languages, reasons, score}`) for the learner. */
export function mentorPicks({ limit = 4 } = {}) {
  return pageList((cursor) => get(withQuery(`${BASE}/mentors`, { limit, cursor }), { auth: true }), {
    key: (pick) => pick.mentor.id,
  });
}

/** The mentor's "what learners want" (`{items: [DemandOut]}`: one page, no cursor). */
export function demandList() {
  return pageList(() => get(`${BASE}/demand`, { auth: true }), { key: (item) => item.tag });
}

/** Tells the recommender this signed-in person looked at a session; a failure changes nothing. */
export function sendView(sessionId) {
  return post(`${BASE}/views`, { session_id: sessionId }, { auth: true }).catch(() => null);
}
