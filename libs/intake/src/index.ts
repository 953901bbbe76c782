export { ClickIntakeService, IntakeResult } from './click-intake.service';
export { EnqueueUnavailableError } from './intake-errors';
