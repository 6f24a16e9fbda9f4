// The error of a bad option or setting, naming the field, so a caller can tell which to fix.
/** A spawnTask() option that cannot be used; `field` names it (command, type, dependsOn...). */
export class TaskOptionsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'TaskOptionsError';
  }
}
