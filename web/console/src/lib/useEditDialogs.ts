import { useState, type Dispatch, type SetStateAction } from 'react';
import type { Id } from '../api';
import { removeById, upsertById } from './lists';

/**
 * The dialogs of a list page whose items are created and edited in a form dialog and deleted after a confirmation:
 * which item each dialog is open for, and the banner saying what was done. `saved` (the form's onSaved) and
 * `confirmDelete` (the confirmation's onConfirm) keep the list in step and close the form.
 */
export function useEditDialogs<T extends { id: Id }>({
  setItems,
  nameOf,
  remove,
}: {
  setItems: Dispatch<SetStateAction<T[] | null>>;
  nameOf: (item: T) => string;
  remove: (item: T) => Promise<unknown>;
}) {
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  function saved(item: T) {
    setItems((prev) => upsertById(prev, item));
    setMessage(editing === 'new' ? `${nameOf(item)} was created.` : `${nameOf(item)} was saved.`);
    setEditing(null);
  }

  async function confirmDelete(item: T) {
    await remove(item);
    setItems((prev) => removeById(prev, item.id));
    setMessage(`${nameOf(item)} was deleted.`);
  }

  return { editing, setEditing, deleting, setDeleting, message, saved, confirmDelete };
}
