import { createRouter, createWebHistory } from "vue-router";
import HomePage from "./pages/HomePage.vue";
import SheetPage from "./pages/SheetPage.vue";

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/", component: HomePage },
    { path: "/s/:id", component: SheetPage, props: true },
    { path: "/:rest(.*)*", redirect: "/" },
  ],
});
