import { createApp } from 'vue'
import DevicesRoot from './DevicesRoot.vue'
import { i18n, localeFrom, setLocale } from './i18n'
import './devices.css'

setLocale(localeFrom(location.search))
createApp(DevicesRoot).use(i18n).mount('#app')
