/**
 * The in-page questions (ConfirmDialog shows whichever is open): a choice of
 * two or three buttons, or a line of text. Each question is a promise that
 * settles when the user answers.
 */

export type ConfirmChoice = 'confirm' | 'extra' | 'cancel';

export interface ConfirmRequest {
  title: string;
  message: string;
  confirm: string;
  /** A third choice, e.g. "Save" before discarding. */
  extra?: string;
  cancel: string;
  resolve: (choice: ConfirmChoice) => void;
}

export interface PromptRequest {
  title: string;
  message: string;
  value: string;
  confirm: string;
  resolve: (value: string | null) => void;
}

export class Dialogs {
  confirmRequest = $state.raw<ConfirmRequest | null>(null);
  promptRequest = $state.raw<PromptRequest | null>(null);

  /** True while a question waits for its answer (keyboard shortcuts stand aside). */
  get open(): boolean {
    return this.confirmRequest !== null || this.promptRequest !== null;
  }

  ask(req: Omit<ConfirmRequest, 'resolve'>): Promise<ConfirmChoice> {
    return new Promise((resolve) => {
      this.confirmRequest = {
        ...req,
        resolve: (choice) => {
          this.confirmRequest = null;
          resolve(choice);
        },
      };
    });
  }

  prompt(req: Omit<PromptRequest, 'resolve'>): Promise<string | null> {
    return new Promise((resolve) => {
      this.promptRequest = {
        ...req,
        resolve: (value) => {
          this.promptRequest = null;
          resolve(value);
        },
      };
    });
  }
}
