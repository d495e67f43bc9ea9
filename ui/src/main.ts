import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/dist/index.css'
import './styles/main.css'
import App from './App.vue'
import DisplayRoot from './DisplayRoot.vue'
import { i18n } from './i18n'
import { router } from './router'
import { reportUiErrors } from './utils/reportErrors'

// The hall display window (label `display`) loads `#/display`: that page alone, without the app
// shell (navigation, header) nor its start-up reads, which the display's capability does not allow.
const bare = window.location.hash.startsWith('#/display')
const app = createApp(bare ? DisplayRoot : App)
reportUiErrors(app)
app.use(createPinia()).use(i18n).use(router).mount('#app')
