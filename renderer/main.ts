/** Renderer entry: Vue app with Pinia; unexpected errors reach the notifications store, not the console only. */
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { useNotificationsStore } from './stores/notifications';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.config.errorHandler = (err) => useNotificationsStore(pinia).error(err, 'Unexpected error');
window.addEventListener('unhandledrejection', (e) => useNotificationsStore(pinia).error(e.reason, 'Unexpected error'));
app.mount('#app');
