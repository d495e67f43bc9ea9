import type { RouteLocationRaw } from 'vue-router'
import type { Finding } from '../../api'

/**
 * Where a coverage finding is fixed: a matter is searched and selected on the bindings board (with
 * the window involved highlighted, e.g. the one still holding a retired matter); a department
 * filters the board; a window's card is highlighted.
 */
export function findingRoute(f: Finding): RouteLocationRaw {
  switch (f.subject) {
    case 'matter': {
      const query: Record<string, string> = { matter: f.subjectId }
      if (f.windowIds[0]) query.window = f.windowIds[0]
      return { path: '/catalog', query }
    }
    case 'department':
      return { path: '/catalog', query: { department: f.subjectId } }
    case 'window':
      return { path: '/catalog', query: { window: f.subjectId } }
    default:
      return { path: '/catalog' }
  }
}
