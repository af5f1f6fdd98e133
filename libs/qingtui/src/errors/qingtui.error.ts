/** Base class of every error thrown by the Qingtui library. */
export class QingtuiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
