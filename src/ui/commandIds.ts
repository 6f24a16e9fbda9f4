// Every command id in one place, spelled once. The titles live in package.json.
export const Command = {
  run: 'backgroundTasks.run',
  runVerbose: 'backgroundTasks.runVerbose',
  runSelection: 'backgroundTasks.runSelection',
  runWithOptions: 'backgroundTasks.runWithOptions',
  runAfter: 'backgroundTasks.runAfter',
  pipeInto: 'backgroundTasks.pipeInto',
  pipeSelection: 'backgroundTasks.pipeSelection',
  cancel: 'backgroundTasks.cancel',
  rerun: 'backgroundTasks.rerun',
  showOutput: 'backgroundTasks.showOutput',
  showDetails: 'backgroundTasks.showDetails',
  showTasks: 'backgroundTasks.showTasks',
  clearFinished: 'backgroundTasks.clearFinished',
  showStatistics: 'backgroundTasks.showStatistics',
  copyCommand: 'backgroundTasks.copyCommand',
  openLog: 'backgroundTasks.openLog',
  remove: 'backgroundTasks.remove',
  runWorkspaceTask: 'backgroundTasks.runWorkspaceTask',
  pauseQueue: 'backgroundTasks.pauseQueue',
  resumeQueue: 'backgroundTasks.resumeQueue',
  pauseTask: 'backgroundTasks.pauseTask',
  resumeTask: 'backgroundTasks.resumeTask',
  runNext: 'backgroundTasks.runNext',
  exportHistory: 'backgroundTasks.exportHistory',
} as const;
export type CommandId = (typeof Command)[keyof typeof Command];

/** The tree view's id; VS Code adds `<id>.focus` and friends. */
export const TREE_VIEW_ID = 'backgroundTasks.tasks';

/** True while the queue is paused: the view's title bar shows Resume Queue instead of Pause Queue. */
export const QUEUE_PAUSED_CONTEXT = 'backgroundTasks.queuePaused';
