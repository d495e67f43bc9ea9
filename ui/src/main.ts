import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/dist/index.css'
import './styles/main.css'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { reportUiErrors } from './utils/reportErrors'

const app = createApp(App)
reportUiErrors(app)
app.use(createPinia()).use(i18n).use(router).mount('#app')
