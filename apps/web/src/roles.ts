import type { Role } from "@cosheet/protocol";

/** What each role is called where people choose or see one. */
export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  view: "Can view",
  comment: "Can comment",
  edit: "Can edit",
  owner: "Owner",
};
