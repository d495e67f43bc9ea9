import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import type { Component } from 'vue'
import {
  ChatDotRound,
  Collection,
  DataAnalysis,
  Document,
  Grid,
  Key,
  Monitor,
  Odometer,
  Setting,
  StarFilled,
  User,
} from '@element-plus/icons-vue'
import WindowsView from './views/WindowsView.vue'

export type NavKey =
  | 'dashboard'
  | 'windows'
  | 'catalog'
  | 'staff'
  | 'sms'
  | 'devices'
  | 'accounts'
  | 'rectification'
  | 'reports'
  | 'audit'
  | 'settings'

declare module 'vue-router' {
  interface RouteMeta {
    /** The nav item (and i18n key `nav.<key>`) this page belongs to; its label is the page title. */
    nav?: NavKey
    /** Rendered alone, outside the app shell (no navigation, no header): the hall display. */
    bare?: boolean
  }
}

export interface NavItem {
  key: NavKey
  path: string
  icon: Component
  /** The nav link's data-testid when it is not `nav-<key>` (a name the e2e suite already uses). */
  testid?: string
  /** Shown only to a person holding this capability here (core refuses the commands anyway). */
  capability?: string
}

/** The side navigation, in order. */
export const NAV_ITEMS: NavItem[] = [
  { key: 'dashboard', path: '/dashboard', icon: Odometer },
  { key: 'windows', path: '/windows', icon: Grid },
  { key: 'catalog', path: '/catalog', icon: Collection },
  { key: 'staff', path: '/staff', icon: User },
  { key: 'sms', path: '/sms', icon: ChatDotRound, capability: 'sms.read' },
  { key: 'devices', path: '/devices', icon: Monitor, capability: 'devices.manage' },
  { key: 'accounts', path: '/accounts', icon: Key, capability: 'accounts.manage' },
  { key: 'rectification', path: '/rectification', icon: StarFilled, testid: 'nav-ratings' },
  { key: 'reports', path: '/reports', icon: DataAnalysis },
  { key: 'audit', path: '/audit', icon: Document },
  { key: 'settings', path: '/settings', icon: Setting },
]

const routes: RouteRecordRaw[] = [
  // The supervisor's first screen: the live queue monitor (总览).
  { path: '/', redirect: '/dashboard' },
  { path: '/dashboard', component: () => import('./views/DashboardView.vue'), meta: { nav: 'dashboard' } },
  { path: '/windows', component: WindowsView, meta: { nav: 'windows' } },
  { path: '/catalog', component: () => import('./views/CatalogView.vue'), meta: { nav: 'catalog' } },
  { path: '/staff', component: () => import('./views/StaffView.vue'), meta: { nav: 'staff' } },
  { path: '/sms', component: () => import('./views/SmsView.vue'), meta: { nav: 'sms' } },
  { path: '/devices', component: () => import('./views/DevicesView.vue'), meta: { nav: 'devices' } },
  { path: '/accounts', component: () => import('./views/AccountsView.vue'), meta: { nav: 'accounts' } },
  {
    path: '/rectification',
    component: () => import('./views/RectificationView.vue'),
    meta: { nav: 'rectification' },
  },
  // The page's address before the feature had one name.
  { path: '/ratings', redirect: '/rectification' },
  { path: '/reports', component: () => import('./views/ReportsView.vue'), meta: { nav: 'reports' } },
  { path: '/audit', component: () => import('./views/AuditView.vue'), meta: { nav: 'audit' } },
  { path: '/settings', component: () => import('./views/SettingsView.vue'), meta: { nav: 'settings' } },
  // The hall display (大屏): its own window, outside the app shell (see main.ts).
  { path: '/display', component: () => import('./views/HallDisplayView.vue'), meta: { bare: true } },
  { path: '/:pathMatch(.*)*', redirect: '/dashboard' },
]

export const router = createRouter({
  // Served from the shell's custom protocol: hash history needs no server-side routing.
  history: createWebHashHistory(),
  routes,
})
